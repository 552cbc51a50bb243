/*
 * The built Slack app (bot/dist/index.js, after `npm run build`) in its own process, configured only
 * through its environment as the README starts it, on the HTTP receiver of a free port. Several of
 * them on one Redis are the replicas of a deployment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FakeModelStudio } from "../fakes/model-studio.js";
import type { FakeSlack } from "../fakes/slack.js";
import { createSlackDriver, type SlackDriver } from "../fakes/slack-driver.js";
import { freePort } from "./redis-server.js";
import { waitFor } from "./start-bot.js";

const repository = fileURLToPath(new URL("../../", import.meta.url));
export const builtBot = join(repository, "bot/dist/index.js");

export interface BuiltBotProcess {
  child: ChildProcess;
  port: number;
  /** A driver that delivers events to this process's receiver. */
  driver: SlackDriver;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Sends `signal` and waits for the exit; resolves with the code, the signal and the milliseconds it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; milliseconds: number }>;
}

/** Starts the built bot against the fakes and waits until it says it is running. */
export async function startBuiltBotProcess(
  fake: FakeSlack,
  model: FakeModelStudio,
  environment: Record<string, string> = {},
): Promise<BuiltBotProcess> {
  if (!existsSync(builtBot)) throw new Error(`${builtBot} is missing: run \`npm run build\` before this test.`);
  const port = await freePort();
  const child = spawn(process.execPath, [builtBot], {
    cwd: repository,
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      DASHSCOPE_API_KEY: model.apiKey,
      DASHSCOPE_BASE_URL: model.baseUrl,
      PORT: String(port),
      ...environment,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.resume();
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const running: BuiltBotProcess = {
    child,
    port,
    driver: createSlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, fake }),
    stderr: () => stderr,
    exited,
    stop: async (signal = "SIGTERM") => {
      const startedAt = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, exitSignal] = await exited;
      return { code, signal: exitSignal, milliseconds: Date.now() - startedAt };
    },
  };
  try {
    await waitFor(
      () => stderr.includes("Glance is running") || child.exitCode !== null,
      "the built bot to start",
      30_000,
    );
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`The built bot exited at start-up: ${stderr}`);
  return running;
}

/** Kills whatever is still running, for `finally` blocks. */
export async function killAll(processes: ReadonlyArray<BuiltBotProcess | undefined>): Promise<void> {
  await Promise.all(
    processes.map(async (running) => {
      if (running === undefined) return;
      if (running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill("SIGKILL");
        await running.exited;
      }
    }),
  );
}
