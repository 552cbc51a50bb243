/*
 * Runs the built action in a child process for the benchmark, with the same runner environment
 * contract as test/support/run-action.ts (INPUT_* variables, GITHUB_EVENT_PATH, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_API_URL...). It differs in what a benchmark needs: the spawn and exit
 * moments on this process's performance clock (the same clock the fakes' request times are read on),
 * and optionally the child's peak memory, read by GNU time so that nothing is loaded into the action's
 * own process to measure it.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inputVariable, parseOutputFile } from "../support/run-action.js";

const gnuTime = "/usr/bin/time";

export interface BenchActionOptions {
  entry: string;
  /** Working directory of the child. */
  cwd: string;
  inputs: Record<string, string>;
  event: Record<string, unknown>;
  repository: string;
  apiUrl: string;
  serverUrl: string;
  /** Run under `/usr/bin/time -v` and read the child's maximum resident set size. */
  measureMemory: boolean;
}

export interface BenchActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** performance.now() just before the spawn and when the child exited. */
  spawnedAt: number;
  exitedAt: number;
  /** Undefined when memory was not measured. */
  peakRssMegabytes: number | undefined;
}

export function canMeasureMemory(): boolean {
  return existsSync(gnuTime);
}

export async function runBuiltAction(options: BenchActionOptions): Promise<BenchActionRun> {
  const directory = await mkdtemp(join(tmpdir(), "glance-bench-action-run-"));
  try {
    const eventPath = join(directory, "event.json");
    const outputPath = join(directory, "output.txt");
    const summaryPath = join(directory, "summary.md");
    const timeReportPath = join(directory, "time.txt");
    await writeFile(eventPath, JSON.stringify(options.event));
    await writeFile(outputPath, "");
    await writeFile(summaryPath, "");
    const pullRequest = options.event.pull_request as { head?: { sha?: string } } | undefined;
    const environment: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: options.repository,
      GITHUB_API_URL: options.apiUrl,
      GITHUB_SERVER_URL: options.serverUrl,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_SHA: pullRequest?.head?.sha ?? "0".repeat(40),
      GITHUB_RUN_ID: "4242",
      GITHUB_RUN_ATTEMPT: "1",
      RUNNER_TEMP: directory,
      ...Object.fromEntries(Object.entries(options.inputs).map(([name, value]) => [inputVariable(name), value])),
    };
    const [command, args] = options.measureMemory
      ? [gnuTime, ["-v", "-o", timeReportPath, process.execPath, options.entry]]
      : [process.execPath, [options.entry]];
    const child = await spawnAndWait(command, args, options.cwd, environment);
    return {
      ...child,
      outputs: parseOutputFile(await readFile(outputPath, "utf8")),
      peakRssMegabytes: options.measureMemory
        ? maximumResidentMegabytes(await readFile(timeReportPath, "utf8"))
        : undefined,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** GNU time reports "Maximum resident set size (kbytes): N"; kbytes are KiB, as maxRSS elsewhere. */
function maximumResidentMegabytes(report: string): number {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  if (match === null) {
    throw new Error(`GNU time printed no maximum resident set size:\n${report}`);
  }
  return Number(match[1]) / 1024;
}

/** Spawns a command and resolves when it has exited and closed its pipes, with both moments timed. */
export function spawnAndWait(
  command: string,
  args: string[],
  cwd: string,
  environment: Record<string, string>,
): Promise<{ exitCode: number; stdout: string; stderr: string; spawnedAt: number; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    const child = spawn(command, args, { cwd, env: environment, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let exitedAt = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // "exit" is the process ending; "close" waits for its pipes as well, which may come later.
    child.on("exit", () => {
      exitedAt = performance.now();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr, spawnedAt, exitedAt }));
  });
}

/** Records when each request reached a fake (the fakes record requests, not times), on performance.now(). */
export function recordArrivalTimes(requests: unknown[]): number[] {
  const times: number[] = [];
  const push = requests.push.bind(requests);
  requests.push = (...items: unknown[]) => {
    for (const _item of items) times.push(performance.now());
    return push(...items);
  };
  return times;
}
