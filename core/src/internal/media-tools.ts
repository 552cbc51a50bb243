import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod } from "node:fs/promises";
import { MediaError } from "../errors.js";

export type MediaTool = "ffmpeg" | "ffprobe";

const resolvedTools = new Map<MediaTool, Promise<string>>();

/**
 * The path of the ffmpeg or ffprobe binary shipped in its npm package. pnpm may skip the install
 * scripts that mark these binaries executable, so a missing executable bit is fixed once here, and
 * when that is not allowed the error says how to fix it by hand.
 */
export function mediaToolPath(tool: MediaTool): Promise<string> {
  let path = resolvedTools.get(tool);
  if (path === undefined) {
    path = locateTool(tool);
    // A failed lookup is not cached: the user may fix the permission and try again.
    path.catch(() => resolvedTools.delete(tool));
    resolvedTools.set(tool, path);
  }
  return path;
}

async function locateTool(tool: MediaTool): Promise<string> {
  const packageName = tool === "ffmpeg" ? "@ffmpeg-installer/ffmpeg" : "@ffprobe-installer/ffprobe";
  let path: string;
  try {
    const installer =
      tool === "ffmpeg" ? await import("@ffmpeg-installer/ffmpeg") : await import("@ffprobe-installer/ffprobe");
    path = installer.default.path;
  } catch (error) {
    throw new MediaError(
      "media-tool",
      tool,
      `the ${tool} binary for this platform was not found (${describe(error)}). Reinstall with optional dependencies enabled, e.g. \`pnpm install\` without --no-optional, so that ${packageName} brings its binary.`,
      { cause: error },
    );
  }
  try {
    await access(path, constants.X_OK);
    return path;
  } catch {
    try {
      await chmod(path, 0o755);
      await access(path, constants.X_OK);
      return path;
    } catch (error) {
      throw new MediaError(
        "media-tool",
        tool,
        `${path} is not executable and could not be made so (${describe(error)}). Run \`chmod +x "${path}"\`, or \`pnpm rebuild ${packageName}\`.`,
        { cause: error },
      );
    }
  }
}

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

/** The most stderr kept: ffmpeg's progress output of a long run would otherwise grow without bound. */
const stderrLimit = 64 * 1024;

/** Runs a media tool without a shell; fails with a MediaError quoting the tool's last words. */
export async function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  input: string,
  failure: "unreadable-media" | "media-tool" = "unreadable-media",
): Promise<ToolResult> {
  const path = await mediaToolPath(tool);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrLimit);
    });
    child.on("error", (error) => {
      reject(new MediaError("media-tool", input, `${tool} could not be started: ${error.message}.`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolve({ stdout: Buffer.concat(stdout), stderr });
        return;
      }
      const lastLines = stderr.trim().split("\n").slice(-3).join(" ").trim();
      const status = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(
        new MediaError(
          failure,
          input,
          `${tool} could not read the file (${status}${lastLines === "" ? "" : `: ${lastLines}`}). The file may be truncated or damaged.`,
        ),
      );
    });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
