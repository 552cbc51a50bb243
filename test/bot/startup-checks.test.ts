/*
 * Start-up as an operator meets it: the built bot (bot/dist, after `npm run build`) in its own process,
 * configured only through its environment. Every credential and dependency is checked before it says
 * "running"; each failure is one line on stderr (JSON with GLANCE_LOG_FORMAT=json), exit code 1, never a
 * stack trace. And `npm run bot` keeps the bot in its own process, so SIGTERM reaches it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type FakeModelStudio, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { waitFor } from "../support/start-bot.js";

const repository = fileURLToPath(new URL("../../", import.meta.url));
const builtBot = join(repository, "bot/dist/index.js");
const launcher = join(repository, "scripts/start-bot.mjs");

/** A port nothing listens on right now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("No port.");
  return address.port;
}

interface Started {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function start(program: string, environment: Record<string, string>): Started {
  // Only the variables given: no test runner flags, no source condition, no inherited settings.
  const child = spawn(process.execPath, [program], {
    cwd: repository,
    env: { PATH: process.env.PATH ?? "", ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, stderr: () => stderr, stdout: () => stdout, exited };
}

/** Starts the built bot, expects it to refuse to start, and returns its one line. */
async function refusal(environment: Record<string, string>): Promise<string> {
  const started = start(builtBot, environment);
  const timer = setTimeout(() => started.child.kill("SIGKILL"), 60_000);
  const [code] = await started.exited;
  clearTimeout(timer);
  const stderr = started.stderr();
  assert.equal(code, 1, `exit code 1 (stderr: ${stderr})`);
  assert.equal(started.stdout(), "");
  assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
  assert.doesNotMatch(stderr, /Glance is running/);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  return lines[0] ?? "";
}

describe("the built bot checks everything before it says running", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let directory: string;
  let valid: Record<string, string>;

  before(async () => {
    assert.ok(existsSync(builtBot), `${builtBot} is missing: run \`npm run build\` before this test.`);
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    directory = await mkdtemp(join(tmpdir(), "glance-startup-"));
    valid = {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      DASHSCOPE_API_KEY: model.apiKey,
      DASHSCOPE_BASE_URL: model.baseUrl,
      PORT: String(await closedPort()),
    };
  });

  after(async () => {
    await Promise.all([fake.close(), model.close(), rm(directory, { recursive: true, force: true })]);
  });

  it("a bad bot token: one line naming SLACK_BOT_TOKEN and auth.test's answer, no secret", async () => {
    const wrongToken = "xoxb-0000-wrong-token-that-must-not-print";
    const line = await refusal({ ...valid, SLACK_BOT_TOKEN: wrongToken });
    assert.match(
      line,
      /^\[error\] Glance cannot start: SLACK_BOT_TOKEN was refused by Slack's auth\.test \(invalid_auth\): copy the Bot User OAuth Token/,
    );
    assert.ok(!line.includes(wrongToken));
  });

  it("Slack not reachable: one line naming the address, the network's error and the fix", async () => {
    const port = await closedPort();
    const line = await refusal({ ...valid, SLACK_API_URL: `http://127.0.0.1:${port}/api/` });
    assert.match(
      line,
      new RegExp(
        `^\\[error\\] Glance cannot start: Slack is not reachable at http://127\\.0\\.0\\.1:${port}/api/ \\(connect ECONNREFUSED [^)]*\\): check the network`,
      ),
    );
  });

  it("a store file that cannot be written: one line naming the path, why, and the fix", async () => {
    const missing = join(directory, "missing", "state.json");
    assert.match(
      await refusal({ ...valid, GLANCE_STORE_FILE: missing }),
      /^\[error\] Glance cannot start: GLANCE_STORE_FILE .*missing\/state\.json cannot be used: its directory .*missing does not exist \(ENOENT\)\. Create the directory/,
    );
    const aFile = join(directory, "a-file");
    await writeFile(aFile, "not a directory");
    assert.match(
      await refusal({ ...valid, GLANCE_STORE_FILE: join(aFile, "state.json") }),
      /cannot be used: .*a-file is not a directory\. Point GLANCE_STORE_FILE into a writable directory\.$/,
    );
  });

  it("an unknown model: one line naming GLANCE_MODEL and the known models", async () => {
    assert.match(
      await refusal({ ...valid, GLANCE_MODEL: "qwen-imaginary-vl" }),
      /^\[error\] Glance cannot start: GLANCE_MODEL: Unknown model "qwen-imaginary-vl"\. Known models: qwen/,
    );
  });

  it("a refused app-level token in Socket Mode: one line naming SLACK_APP_TOKEN", async () => {
    const line = await refusal({ ...valid, SLACK_APP_TOKEN: "xapp-1-A0WRONG-0000-wrongwrongwrong" });
    assert.match(
      line,
      /^\[error\] Glance cannot start: SLACK_APP_TOKEN was refused by Slack's apps\.connections\.open \(invalid_auth\): create an app-level token/,
    );
    assert.ok(!line.includes("wrongwrongwrong"), "the token is scrubbed");
  });

  it("with GLANCE_LOG_FORMAT=json, the same failure is one JSON object", async () => {
    const line = await refusal({ ...valid, SLACK_BOT_TOKEN: "xoxb-0000-wrong", GLANCE_LOG_FORMAT: "json" });
    const record = JSON.parse(line) as { time: string; level: string; message: string };
    assert.equal(record.level, "error");
    assert.match(record.message, /^Glance cannot start: SLACK_BOT_TOKEN was refused/);
    assert.ok(!Number.isNaN(Date.parse(record.time)));
  });

  it("`npm run bot` runs the bot in its own process: it logs JSON, answers /healthz, and exits 0 on SIGTERM", async () => {
    const port = await closedPort();
    const started = start(launcher, { ...valid, PORT: String(port), GLANCE_LOG_FORMAT: "json" });
    try {
      await waitFor(() => started.stderr().includes("Glance is running"), "the bot to start", 60_000);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      started.child.kill("SIGTERM");
      const [code, signal] = await started.exited;
      assert.equal(signal, null, "the bot handled SIGTERM itself");
      assert.equal(code, 0, started.stderr());
      for (const line of started.stderr().trim().split("\n")) {
        const record = JSON.parse(line) as { level: string; message: string };
        assert.ok(["info", "warn", "error", "debug"].includes(record.level), line);
      }
    } finally {
      if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill("SIGKILL");
    }
  });
});
