/*
 * The Slack app in this process with its Redis backend (the state and the durable answer queue, as
 * index.ts opens them with GLANCE_REDIS_URL), on a private redis-server this file starts and stops.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
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
    // Known leak, to be fixed: after Redis goes away mid-run, a connection of the merged app keeps
    // retrying and holds the process open. Once every test here has reported, end the process rather
    // than hang CI; the timer is unref'd, so a clean exit never waits for it.
    setTimeout(() => process.exit(), 3_000).unref();
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
});
