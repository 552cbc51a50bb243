/*
 * The Slack app in this process with its Redis backend (the state and the durable answer queue, as
 * index.ts opens them with GLANCE_REDIS_URL), on a private redis-server this file starts and stops.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { BotLogger } from "../../bot/src/bot-logger.js";
import { AnswerQueue } from "../../bot/src/queue/answer-queue.js";
import { RedisState } from "../../bot/src/state/redis-state.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { startTestRedis, uniquePrefix } from "../support/redis-server.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

// This file stops its Redis on purpose: never a shared GLANCE_TEST_REDIS_URL.
const started = await startTestRedis("redis-queue.test.ts", { ownServer: true });
const channel = "C0QUEUE";

const user = "U0QUEUE";

async function withQueuedBot(
  work: (context: {
    fake: FakeSlack;
    model: FakeModelStudio;
    running: RunningBot;
    logs: string[];
    mention(text: string): Promise<string>;
  }) => Promise<void>,
  environment: Record<string, string> = {},
): Promise<void> {
  if (started.redis === undefined) throw new Error("No Redis.");
  const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "queue" });
  fake.addUser({ id: user, name: "quinn" });
  const logs: string[] = [];
  const record = (level: string) => (message: string) => void logs.push(`[${level}] ${message}`);
  const logger: BotLogger = {
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
  };
  const prefix = uniquePrefix("queue");
  const state = await RedisState.open({ url: started.redis.url, prefix, logger });
  const answerQueue = await AnswerQueue.open({
    url: started.redis.url,
    prefix,
    concurrency: 4,
    logger,
    shutdownGraceMilliseconds: 2_000,
  });
  const running = await startBot(fake, model, { environment, dependencies: { state, answerQueue, logger } });
  const content = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c03060" } })
    .png()
    .toBuffer();
  try {
    await work({
      fake,
      model,
      running,
      logs,
      mention: async (text) => {
        const file = fake.addFile({ name: "shot.png", mimetype: "image/png", content, user });
        const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
        const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
        assert.equal(delivery.status, 200);
        return message.ts;
      },
    });
  } finally {
    await running.bot.app.stop();
    await answerQueue.close();
    await state.close();
    await Promise.all([fake.close(), model.close()]);
  }
}

describe("the Slack app with its Redis backend, in process", { skip: started.skip, concurrency: false }, () => {
  after(async () => {
    await started.redis?.close();
  });

  it("answers through the queue, placeholder edited in place when streaming is off", { timeout: 60_000 }, async () => {
    await withQueuedBot(
      async ({ fake, model, mention }) => {
        model.script(fakeSteps.answer("A pink rectangle."));
        const ts = await mention("what is this?");
        // Progress edits end in " …"; the final edit shows the answer alone.
        await waitFor(() => botReplies(fake, channel, ts).join("") === "A pink rectangle.", "the final answer", 30_000);
        assert.deepEqual(botReplies(fake, channel, ts), ["A pink rectangle."]);
        assert.equal(fake.callsOf("chat.delete").length, 0, "nothing to remove on a first attempt");
      },
      { GLANCE_STREAMING: "off" },
    );
  });

  it("tells the asker in one line when Redis is unreachable, instead of staying silent", {
    timeout: 90_000,
  }, async () => {
    await withQueuedBot(async ({ fake, logs, mention }) => {
      await started.redis?.close();
      const ts = await mention("what is this?");
      await waitFor(() => botReplies(fake, channel, ts).length > 0, "a reply", 30_000);
      assert.deepEqual(botReplies(fake, channel, ts), [
        ":warning: Something went wrong on my side before I could start on this. Ask again in a minute.",
      ]);
      assert.ok(
        logs.some((line) => /^\[error\] Could not take the question C0QUEUE\/\S+: /.test(line)),
        logs.join("\n"),
      );
      assert.ok(
        logs.some((line) => /^\[warn\] Lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ /.test(line)),
      );
    });
  });

  it("lets its process end by itself after closing the queue with Redis gone", { timeout: 60_000 }, async () => {
    const own = await startTestRedis("redis-queue.test.ts shutdown", { ownServer: true });
    if (own.redis === undefined) throw new Error("No Redis.");
    const child = spawn(
      process.execPath,
      [
        "--conditions=glance-source",
        "--import",
        "tsx",
        fileURLToPath(new URL("../support/answer-queue-shutdown.ts", import.meta.url)),
      ],
      { env: { ...process.env, GLANCE_REDIS_URL: own.redis.url }, stdio: ["pipe", "pipe", "inherit"] },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let said = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    try {
      await waitFor(() => said.includes("ready"), "the worker to run", 30_000);
      await own.redis.close();
      child.stdin?.write("close\n");
      await waitFor(() => said.includes("closed"), "the queue to close", 15_000);
      // BullMQ's close waits for a connection that cannot end while Redis is away, and until then its
      // lock renewal timer kept the process alive for good.
      const code = await Promise.race([
        exited,
        new Promise<"alive">((resolve) => setTimeout(() => resolve("alive"), 8_000)),
      ]);
      assert.equal(code, 0, "the process ended by itself once the queue was closed");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
