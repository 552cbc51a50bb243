/**
 * Runs the real `glance` command the way a user does: its bin (core/cli/bin/glance.js), which runs the
 * CLI's build on core's build, in a child process, from a chosen directory, with a controlled
 * environment. Nothing inherits the developer's own API key, nor the INIT_CWD of an outer npm script.
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
export const glanceBin = join(repositoryRoot, "core/cli/bin/glance.js");
const testDirectory = join(repositoryRoot, "test");

export interface GlanceRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `glance args...` from `directory` (the test directory unless given). */
export function runGlance(
  args: readonly string[],
  environment: Record<string, string> = {},
  directory = testDirectory,
): Promise<GlanceRun> {
  assertBuildIsCurrent();
  return runProgram(process.execPath, [glanceBin, ...args], { directory, environment });
}

/** Runs any program (npx, npm, pnpm) the same way: only PATH and HOME from this process, and `environment`. */
export function runProgram(
  command: string,
  args: readonly string[],
  { directory, environment = {} }: { directory: string; environment?: Record<string, string> },
): Promise<GlanceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: directory,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}

let buildChecked = false;

/**
 * These tests run the build, so a build older than the sources would test yesterday's code and pass or
 * fail for the wrong reason. Say so instead, with the fix.
 */
function assertBuildIsCurrent(): void {
  if (buildChecked) return;
  const outputs = [join(repositoryRoot, "core/dist/index.js"), join(repositoryRoot, "core/cli/dist/main.js")];
  const built = Math.min(...outputs.map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const sources = [...sourceFiles(join(repositoryRoot, "core/src")), ...sourceFiles(join(repositoryRoot, "core/cli"))];
  const stale = sources.filter((file) => statSync(file).mtimeMs > built);
  if (built === 0 || stale.length > 0) {
    throw new Error(
      `The glance build is ${built === 0 ? "missing" : `older than ${stale.slice(0, 3).join(", ")}`}: run npm run build before the CLI tests.`,
    );
  }
  buildChecked = true;
}

function sourceFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}
