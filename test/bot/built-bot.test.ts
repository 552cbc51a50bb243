/*
 * The Slack app as it is deployed: the built program (bot/dist, on core's build) in its own process,
 * configured only through its environment, as the README starts it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { createSlackDriver } from "../fakes/slack-driver.js";
import { botReplies, waitFor } from "../support/start-bot.js";

const repository = fileURLToPath(new URL("../../", import.meta.url));
const builtBot = join(repository, "bot/dist/index.js");
const launcher = join(repository, "scripts/start-bot.mjs");
const channel = "C0BUILT";
const user = "U0BUILT";

/** A port free right now, for the bot's HTTP receiver (its own log names the configured port). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("No port.");
  return address.port;
}

function startBuiltBot(
  fake: FakeSlack,
  model: FakeModelStudio,
  port: number,
): { child: ChildProcess; stderr: () => string } {
  // Only what the README asks for: no test runner flags, no source condition, no inherited settings.
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
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout?.resume();
  return { child, stderr: () => stderr };
}

describe("the built Slack app (npm run build, then npm run bot)", () => {
  it("answers a mention from its build and exits 0 on SIGTERM", { timeout: 60_000 }, async () => {
    assert.ok(existsSync(builtBot), `${builtBot} is missing: run \`npm run build\` before this test.`);
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    const port = await freePort();
    const { child, stderr } = startBuiltBot(fake, model, port);
    const exited = once(child, "exit");
    try {
      fake.addChannel({ id: channel, name: "built" });
      fake.addUser({ id: user, name: "bea" });
      await waitFor(() => stderr().includes("Glance is running"), "the bot to start", 30_000);
      assert.match(stderr(), new RegExp(`HTTP on port ${port}`));

      const content = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3060c0" } })
        .png()
        .toBuffer();
      const file = fake.addFile({ name: "built.png", mimetype: "image/png", content, user });
      const message = fake.postUserMessage(channel, {
        user,
        text: `<@${fake.botUserId}> what is this?`,
        files: [file],
      });
      model.script(fakeSteps.answer("A plain blue rectangle."));
      const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, fake });
      const delivery = await driver.sendEvent(driver.appMention(channel, message));
      assert.equal(delivery.status, 200);
      await waitFor(
        () => /A plain blue rectangle\./.test(botReplies(fake, channel, message.ts).join("")),
        "the answer from the built bot",
        30_000,
      );
      assert.equal(model.requests.length, 1, "one request reached the model");

      child.kill("SIGTERM");
      const [code, signal] = await exited;
      assert.equal(signal, null, "it shut down by itself instead of being killed by the signal");
      assert.equal(code, 0, `exit code 0 (stderr: ${stderr()})`);
      assert.doesNotMatch(stderr(), /\n\s+at /, "no stack trace");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await Promise.all([fake.close(), model.close()]);
    }
  });

  it("says in one line to build first when the build is missing", async () => {
    // The launcher, copied where no build sits beside it.
    const directory = await mkdtemp(join(tmpdir(), "glance-unbuilt-"));
    try {
      await mkdir(join(directory, "scripts"));
      await copyFile(launcher, join(directory, "scripts/start-bot.mjs"));
      const result = spawnSync(process.execPath, [join(directory, "scripts/start-bot.mjs")], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "" },
      });
      assert.equal(result.status, 1);
      assert.equal(result.stdout, "");
      const lines = result.stderr.trim().split("\n");
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? "", /not built .*run `npm run build` first/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
