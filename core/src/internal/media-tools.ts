import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod } from "node:fs/promises";
import { resolve } from "node:path";
import { MediaError } from "../errors.js";
import type { VideoFormat } from "../media/detect-format.js";

export type MediaTool = "ffmpeg" | "ffprobe";

/** ffprobe reads headers (and packet flags) only: half a minute is ample for any file we accept. */
export const defaultProbeTimeoutMilliseconds = 30_000;
/** One ffmpeg decoding run; a one-pass decode of a long 1080p video stays well within this. */
export const defaultDecodeTimeoutMilliseconds = 600_000;

/**
 * ffmpeg's demuxer for each container we accept, named explicitly: with the format forced, ffmpeg
 * never probes the content, so a file that is really a playlist (HLS) or a concat list cannot make
 * it open other files or URLs.
 */
const demuxers: Record<VideoFormat, string> = {
  mp4: "mov",
  mov: "mov",
  mkv: "matroska",
  webm: "matroska",
  avi: "avi",
  flv: "flv",
  wmv: "asf",
};

/**
 * The input options for one local video file: the local-file protocol only (no http, concat:,
 * subfile: or data: sources, even from inside a container), the demuxer told by the file's magic
 * bytes, and the path with an explicit "file:" prefix, so a name such as "concat:a|b" stays a name.
 */
export function mediaInputArguments(path: string, format: VideoFormat): string[] {
  return ["-protocol_whitelist", "file,pipe", "-f", demuxers[format], "-i", `file:${resolve(path)}`];
}

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

export interface MediaToolRun {
  /** What the run does, for the timeout message: "reading the video's header", "sampling frames". */
  purpose: string;
  /** The run is killed (SIGKILL) after this long; a damaged or hostile file must not hold a process forever. */
  timeoutMilliseconds: number;
  failure?: "unreadable-media" | "media-tool";
  /** Kills the process when aborted: a sibling run failed, so this one's work is wasted. */
  signal?: AbortSignal;
}

/**
 * Runs a media tool without a shell; fails with a MediaError quoting the tool's last words. Every run
 * has a deadline: on expiry the process is killed with SIGKILL (ffmpeg may ignore SIGTERM while it is
 * blocked in a read) and the run fails with the literal code "media-timeout".
 */
export async function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  input: string,
  run: MediaToolRun,
): Promise<ToolResult> {
  const path = await mediaToolPath(tool);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    const stdout: Buffer[] = [];
    let stderr = "";
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, run.timeoutMilliseconds);
    const abort = () => child.kill("SIGKILL");
    run.signal?.addEventListener("abort", abort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrLimit);
    });
    child.on("error", (error) => {
      clearTimeout(deadline);
      run.signal?.removeEventListener("abort", abort);
      reject(new MediaError("media-tool", input, `${tool} could not be started: ${error.message}.`, { cause: error }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      run.signal?.removeEventListener("abort", abort);
      if (timedOut) {
        reject(
          new MediaError(
            "media-timeout",
            input,
            `${tool} did not finish ${run.purpose} within ${formatDeadline(run.timeoutMilliseconds)} and was stopped. The video may be damaged or too costly to decode: trim it, lower the fps, or raise the media tool timeout if the file is trusted.`,
          ),
        );
        return;
      }
      if (code === 0) {
        resolve({ stdout: Buffer.concat(stdout), stderr });
        return;
      }
      const lastLines = stderr.trim().split("\n").slice(-3).join(" ").trim();
      const status = signal === null ? `exit code ${code}` : `signal ${signal}`;
      reject(
        new MediaError(
          run.failure ?? "unreadable-media",
          input,
          `${tool} could not read the file (${status}${lastLines === "" ? "" : `: ${lastLines}`}). The file may be truncated or damaged.`,
        ),
      );
    });
  });
}

function formatDeadline(milliseconds: number): string {
  return milliseconds < 1000 ? `${milliseconds} ms` : `${Math.round(milliseconds / 100) / 10} s`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
