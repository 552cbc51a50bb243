/**
 * Runs the BUILT action (action/dist/index.js) in a child process with the runner's environment
 * contract: inputs as INPUT_<NAME> (upper-cased, spaces to underscores, dashes kept, as
 * @actions/core reads them), the event payload in a file named by GITHUB_EVENT_PATH, and the
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files the runner would collect afterwards.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const builtActionEntry = fileURLToPath(new URL("../../action/dist/index.js", import.meta.url));

export interface ActionRunOptions {
  inputs: Record<string, string>;
  event: Record<string, unknown>;
  eventName?: string;
  /** "owner/repo". */
  repository: string;
  apiUrl: string;
  serverUrl: string;
  /** Defaults to the built bundle in this repository. */
  entry?: string;
  /** Working directory of the child; a fresh temporary directory when absent. */
  cwd?: string;
  environment?: Record<string, string>;
  /** The program that runs the entry and its leading arguments; this Node when absent (e.g. an emulated arm64 Node). */
  runtime?: string[];
}

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** What a failed assertion shows about a bundle run. */
export function runDetails(result: ActionRun): string {
  return `exit ${result.exitCode}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const directory = await mkdtemp(join(tmpdir(), "glance-action-run-"));
  try {
    const eventPath = join(directory, "event.json");
    const outputPath = join(directory, "output.txt");
    const summaryPath = join(directory, "summary.md");
    await writeFile(eventPath, JSON.stringify(options.event));
    await writeFile(outputPath, "");
    await writeFile(summaryPath, "");
    const inputs = Object.fromEntries(
      Object.entries(options.inputs).map(([name, value]) => [inputVariable(name), value]),
    );
    const pullRequest = options.event.pull_request as { head?: { sha?: string } } | undefined;
    const environment: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: options.eventName ?? "pull_request",
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
      ...inputs,
      ...options.environment,
    };
    const { exitCode, stdout, stderr } = await spawnNode(
      options.runtime ?? [process.execPath],
      options.entry ?? builtActionEntry,
      options.cwd ?? directory,
      environment,
    );
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputPath, "utf8")),
      summary: await readFile(summaryPath, "utf8"),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function spawnNode(
  runtime: string[],
  entry: string,
  cwd: string,
  environment: Record<string, string>,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [program = process.execPath, ...leading] = runtime;
    const child = spawn(program, [...leading, entry], { cwd, env: environment, stdio: ["ignore", "pipe", "pipe"] });
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

/** GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks (and plain `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name = "", delimiter = ""] = heredoc;
      const value: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1) {
        value.push(lines[index] ?? "");
      }
      outputs[name] = value.join("\n");
      continue;
    }
    const plain = /^([^=]+)=(.*)$/.exec(line);
    if (plain !== null) {
      outputs[plain[1] ?? ""] = plain[2] ?? "";
    }
  }
  return outputs;
}
