/*
 * The Slack app in this process with its Redis backend (the state and the durable answer queue, as
 * index.ts opens them with GLANCE_REDIS_URL), on a private redis-server this file starts and stops.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { WebClient } from "@slack/web-api";
import sharp from "sharp";
import type { IncomingQuestion } from "../../bot/src/answer-question.js";
import type { BotLogger } from "../../bot/src/bot-logger.js";
import { AnswerQueue, type AnswerQueueOptions } from "../../bot/src/queue/answer-queue.js";
import { RedisState } from "../../bot/src/state/redis-state.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { startTestRedis, uniquePrefix } from "../support/redis-server.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

// This file stops its Redis on purpose: never a shared GLANCE_TEST_REDIS_URL.
const started = await startTestRedis("redis-queue.test.ts", { ownServer: true });
const channel = "C0QUEUE";

const user = "U0QUEUE";

type QueueSettings = Partial<
  Pick<AnswerQueueOptions, "concurrency" | "maxQueued" | "lockMilliseconds" | "stalledCheckMilliseconds">
>;

interface Replica {
  running: RunningBot;
  answerQueue: AnswerQueue;
  /** Mentions the bot with a small image, delivered to this replica; returns the message's ts. */
  mention(text: string): Promise<string>;
}

function recordingLogger(logs: string[]): BotLogger {
  const record = (level: string) => (message: string) => void logs.push(`[${level}] ${message}`);
  return { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

/**
 * `replicas` copies of the app in this process, each with its own Redis state and answer queue on one
 * prefix (what each replica's index.ts opens), in front of one fake Slack and one fake model.
 */
async function withQueuedBots(
  replicas: number,
  work: (context: {
    fake: FakeSlack;
    model: FakeModelStudio;
    bots: Replica[];
    logs: string[];
    prefix: string;
  }) => Promise<void>,
  environment: Record<string, string> = {},
  queue: QueueSettings = {},
): Promise<void> {
  if (started.redis === undefined) throw new Error("No Redis.");
  const redisUrl = started.redis.url;
  const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "queue" });
  fake.addUser({ id: user, name: "quinn" });
  const logs: string[] = [];
  const logger = recordingLogger(logs);
  const prefix = uniquePrefix("queue");
  const content = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c03060" } })
    .png()
    .toBuffer();
  const opened: Array<{ state: RedisState; answerQueue: AnswerQueue; running?: RunningBot }> = [];
  try {
    const bots: Replica[] = [];
    for (let index = 0; index < replicas; index += 1) {
      const state = await RedisState.open({ url: redisUrl, prefix, logger });
      const answerQueue = await AnswerQueue.open({
        url: redisUrl,
        prefix,
        concurrency: 4,
        maxQueued: 200,
        logger,
        shutdownGraceMilliseconds: 2_000,
        ...queue,
      });
      const entry: (typeof opened)[number] = { state, answerQueue };
      opened.push(entry);
      const running = await startBot(fake, model, { environment, dependencies: { state, answerQueue, logger } });
      entry.running = running;
      bots.push({
        running,
        answerQueue,
        mention: async (text) => {
          const file = fake.addFile({ name: "shot.png", mimetype: "image/png", content, user });
          const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
          const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
          assert.equal(delivery.status, 200);
          return message.ts;
        },
      });
    }
    await work({ fake, model, bots, logs, prefix });
  } finally {
    for (const { state, answerQueue, running } of opened) {
      await running?.bot.app.stop();
      await answerQueue.close();
      await state.close();
    }
    await Promise.all([fake.close(), model.close()]);
  }
}

async function withQueuedBot(
  work: (context: {
    fake: FakeSlack;
    model: FakeModelStudio;
    running: RunningBot;
    answerQueue: AnswerQueue;
    logs: string[];
    mention(text: string): Promise<string>;
  }) => Promise<void>,
  environment: Record<string, string> = {},
  queue: QueueSettings = {},
): Promise<void> {
  await withQueuedBots(
    1,
    async ({ fake, model, bots, logs }) => {
      const [bot] = bots;
      if (bot === undefined) throw new Error("No replica.");
      await work({ fake, model, running: bot.running, answerQueue: bot.answerQueue, logs, mention: bot.mention });
    },
    environment,
    queue,
  );
}

const queueFullReply =
  ":hourglass: I'm answering a lot of questions right now and my queue is full. Ask again in a minute.";

/** One healthy replica (the app, its state and its queue) on an existing prefix, for `work`'s duration. */
async function withQueuedReplicaOn(
  prefix: string,
  fake: FakeSlack,
  model: FakeModelStudio,
  logger: BotLogger,
  queue: QueueSettings,
  work: () => Promise<void>,
): Promise<void> {
  if (started.redis === undefined) throw new Error("No Redis.");
  const state = await RedisState.open({ url: started.redis.url, prefix, logger });
  const answerQueue = await AnswerQueue.open({
    url: started.redis.url,
    prefix,
    concurrency: 2,
    maxQueued: 10,
    logger,
    shutdownGraceMilliseconds: 2_000,
    ...queue,
  });
  const running = await startBot(fake, model, {
    environment: { GLANCE_STREAMING: "off" },
    dependencies: { state, answerQueue, logger },
  });
  try {
    await work();
  } finally {
    await running.bot.app.stop();
    await answerQueue.close();
    await state.close();
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

  it("enforces GLANCE_MAX_QUEUED over all replicas, with the reply a single process gives", {
    timeout: 90_000,
  }, async () => {
    await withQueuedBots(
      2,
      async ({ fake, model, bots }) => {
        const [first, second] = bots;
        if (first === undefined || second === undefined) throw new Error("Two replicas expected.");
        model.script(
          fakeSteps.slow(2_000, "Answer one."),
          fakeSteps.slow(2_000, "Answer two."),
          fakeSteps.answer("Answer three."),
        );
        // One answer running on each replica (one slot each), then one waiting: the shared queue is full.
        // Each started before the next is sent: with one place, a second question sent before a replica
        // has started the first would find the queue full.
        const running = [await first.mention("one?")];
        await waitFor(() => model.requests.length === 1, "a replica to ask the model", 30_000);
        running.push(await second.mention("two?"));
        await waitFor(() => model.requests.length === 2, "both replicas to ask the model", 30_000);
        const waiting = await first.mention("three?");
        const deadline = Date.now() + 10_000;
        while ((await first.answerQueue.waitingCount()) !== 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(await first.answerQueue.waitingCount(), 1, "the third question waits in the shared queue");
        // Each replica alone has nothing waiting in its own process: only the shared count refuses.
        const refusedBySecond = await second.mention("four?");
        const refusedByFirst = await first.mention("five?");
        for (const ts of [refusedBySecond, refusedByFirst]) {
          await waitFor(() => botReplies(fake, channel, ts).length > 0, "the queue-full reply", 30_000);
        }
        for (const [index, ts] of [...running, waiting].entries()) {
          await waitFor(
            () => /^Answer (one|two|three)\.$/.test(botReplies(fake, channel, ts).join("")),
            `answer ${index + 1}`,
            30_000,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(botReplies(fake, channel, refusedBySecond), [queueFullReply]);
        assert.deepEqual(botReplies(fake, channel, refusedByFirst), [queueFullReply]);
        assert.equal(model.requests.length, 3, "the refused questions never reached the model");
      },
      { GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1", GLANCE_STREAMING: "off" },
      { concurrency: 1, maxQueued: 1 },
    );
  });

  it("runs /ocr within the shared queue: refused while GLANCE_MAX_QUEUED questions wait for any replica", {
    timeout: 90_000,
  }, async () => {
    await withQueuedBot(
      async ({ fake, model, running, answerQueue, mention }) => {
        model.script(fakeSteps.slow(2_000, "Answer one."), fakeSteps.answer("Answer two."), fakeSteps.answer("TEXT"));
        const busy = await mention("one?");
        await waitFor(() => model.requests.length === 1, "the first answer to ask the model", 30_000);
        const waiting = await mention("two?");
        await waitFor(() => botReplies(fake, channel, busy).length > 0, "the first placeholder");
        const deadline = Date.now() + 10_000;
        while ((await answerQueue.waitingCount()) !== 1 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(await answerQueue.waitingCount(), 1, "the second question waits in the shared queue");
        const delivery = await running.driver.sendSlashCommand({
          command: "/ocr",
          text: "",
          userId: user,
          channelId: channel,
        });
        assert.equal(delivery.status, 200);
        await waitFor(() => fake.responses.length === 1, "the /ocr reply", 30_000);
        assert.equal(
          String(fake.responses[0]?.body.text),
          ":hourglass: I'm reading a lot of images right now and my queue is full. Try again in a minute.",
        );
        await waitFor(
          () => /Answer two/.test(botReplies(fake, channel, waiting).join("")),
          "the waiting answer",
          30_000,
        );
        // Once nothing waits, /ocr runs again.
        const again = await running.driver.sendSlashCommand({
          command: "/ocr",
          text: "",
          userId: user,
          channelId: channel,
        });
        assert.equal(again.status, 200);
        await waitFor(() => fake.responses.length === 2, "the second /ocr reply", 30_000);
        assert.equal(String(fake.responses[1]?.body.text), "TEXT");
      },
      { GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1", GLANCE_STREAMING: "off" },
      { concurrency: 1, maxQueued: 1 },
    );
  });

  it("replies once, in one line, to a question whose replicas stopped mid-answer past the last takeover", {
    timeout: 120_000,
  }, async () => {
    if (started.redis === undefined) throw new Error("No Redis.");
    const redisUrl = started.redis.url;
    // Short locks, so each replica that stops is noticed within about a second.
    const queue = { lockMilliseconds: 1_000, stalledCheckMilliseconds: 250 };
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "queue" });
    fake.addUser({ id: user, name: "quinn" });
    const prefix = uniquePrefix("given-up");
    const logs: string[] = [];
    const logger = recordingLogger(logs);
    const slack = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what is this?` });
    const question: IncomingQuestion = {
      channel,
      ts: message.ts,
      threadTs: undefined,
      userId: user,
      text: message.text,
      files: [],
      botUserId: fake.botUserId,
    };
    const cleanUp: Array<() => Promise<void>> = [];
    try {
      // Four replicas in turn take the question, post their placeholder, and stop without answering
      // (their worker closed mid-answer stops renewing the job's lock, as a replica killed would):
      // the first attempt and its three takeovers.
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        const doomed = await AnswerQueue.open({
          url: redisUrl,
          prefix,
          concurrency: 1,
          maxQueued: 10,
          logger,
          shutdownGraceMilliseconds: 100,
          ...queue,
        });
        cleanUp.push(() => doomed.close());
        const posted = new Promise<readonly string[]>((resolve) => {
          doomed.start(
            async (taken, { earlierMessages, recordPosted }) => {
              const placeholder = await slack.chat.postMessage({
                channel: taken.channel,
                thread_ts: taken.ts,
                text: `:eyes: Looking (attempt ${attempt})...`,
              });
              await recordPosted(placeholder.ts ?? "");
              resolve(earlierMessages);
              // Never returns: this replica "dies" mid-answer.
              await new Promise(() => {});
            },
            async () => {},
          );
        });
        if (attempt === 1) assert.equal(await doomed.enqueue(question), true);
        assert.equal((await posted).length, attempt - 1, `attempt ${attempt} sees the earlier placeholders`);
        await doomed.close();
      }
      // A healthy replica is the one that finds the job past its last takeover.
      await withQueuedReplicaOn(prefix, fake, model, logger, queue, async () => {
        await waitFor(
          () => botReplies(fake, channel, message.ts).length === 1 && fake.callsOf("chat.delete").length === 4,
          "the one reply",
          30_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        assert.deepEqual(botReplies(fake, channel, message.ts), [
          ":warning: I started on this 4 times and stopped each time before answering, so I gave up. Try again, perhaps with a smaller or different file.",
        ]);
        assert.equal(fake.callsOf("chat.delete").length, 4, "every attempt's placeholder removed");
        assert.equal(model.requests.length, 0);
        assert.ok(
          logs.some((line) =>
            /^\[error\] The answer job C0QUEUE-\S+ failed: job stalled more than allowable limit$/.test(line),
          ),
          logs.join("\n"),
        );
      });
    } finally {
      for (const close of cleanUp) await close().catch(() => {});
      await Promise.all([fake.close(), model.close()]);
    }
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
