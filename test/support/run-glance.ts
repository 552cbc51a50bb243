/**
 * Runs the real `glance` command in a child process, from its TypeScript sources (the same code the
 * build compiles), with a controlled environment. Nothing inherits the developer's own API key.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const cliEntry = fileURLToPath(new URL("../../core/cli/main.ts", import.meta.url));
const testDirectory = fileURLToPath(new URL("../", import.meta.url));

export interface GlanceRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runGlance(args: readonly string[], environment: Record<string, string> = {}): Promise<GlanceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=glance-source", "--import", "tsx", cliEntry, ...args], {
      cwd: testDirectory,
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
