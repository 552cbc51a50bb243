/*
 * Several replicas of the built Slack app (bot/dist, `npm run build` first), each its own process, on
 * one real Redis (GLANCE_REDIS_URL), against the fake Slack and the fake Model Studio: what a rolling
 * deploy or a crash does to "answered exactly once".
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { type BuiltBotProcess, killAll, startBuiltBotProcess } from "../support/built-bot-process.js";
import { startTestRedis, uniquePrefix } from "../support/redis-server.js";
import { botReplies, waitFor } from "../support/start-bot.js";

const started = await startTestRedis("replicas.test.ts");
const channel = "C0REPLICA";
const user = "U0REPLICA";

interface Scene {
  fake: FakeSlack;
  model: FakeModelStudio;
  environment: Record<string, string>;
  /** A user's mention of the bot with a small image, posted in the fake Slack (not delivered yet). */
  mention(text?: string): FakeSlackMessage;
  /** The bot's messages in the mention's thread. */
  replies(message: FakeSlackMessage): string[];
  close(): Promise<void>;
}

async function scene(name: string, environment: Record<string, string> = {}): Promise<Scene> {
  if (started.redis === undefined) throw new Error("No Redis.");
  const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "replicas" });
  fake.addUser({ id: user, name: "rea" });
  const content = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3060c0" } })
    .png()
    .toBuffer();
  let count = 0;
  return {
    fake,
    model,
    environment: { GLANCE_REDIS_URL: started.redis.url, GLANCE_REDIS_PREFIX: uniquePrefix(name), ...environment },
    mention: (text = "what is this?") => {
      count += 1;
      const file = fake.addFile({ name: `image-${count}.png`, mimetype: "image/png", content, user });
      return fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
    },
    replies: (message) => botReplies(fake, channel, message.ts),
    close: async () => {
      await Promise.all([fake.close(), model.close()]);
    },
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("replicas of the Slack app on one Redis", { skip: started.skip, concurrency: false }, () => {
  after(async () => {
    await started.redis?.close();
  });

  it("answers once when Slack retries an event to the other replica", { timeout: 90_000 }, async () => {
    const { fake, model, environment, mention, replies, close } = await scene("retry");
    let first: BuiltBotProcess | undefined;
    let second: BuiltBotProcess | undefined;
    try {
      [first, second] = await Promise.all([
        startBuiltBotProcess(fake, model, environment),
        startBuiltBotProcess(fake, model, environment),
      ]);
      const message = mention();
      model.script(fakeSteps.slow(300, "A blue rectangle."));
      const event = first.driver.appMention(channel, message);
      const delivered = await first.driver.sendEvent(event);
      const eventId = first.driver.lastEventId();
      assert.equal(delivered.status, 200);
      // Slack did not see the ack in time and redelivers the same event, to the other replica.
      const retried = await second.driver.sendEvent(event, {
        ...(eventId === undefined ? {} : { eventId }),
        retryNum: 1,
        retryReason: "http_timeout",
      });
      assert.equal(retried.status, 200);
      await waitFor(() => /A blue rectangle\./.test(replies(message).join("")), "the answer", 30_000);
      await sleep(1_500);
      assert.equal(replies(message).length, 1, `one answer in the thread: ${JSON.stringify(replies(message))}`);
      assert.equal(model.requests.length, 1, "one model request");
    } finally {
      await killAll([first, second]);
      await close();
    }
  });

  it("answers once when one replica gets app_mention and the other the message event", {
    timeout: 90_000,
  }, async () => {
    const { fake, model, environment, mention, replies, close } = await scene("two-events");
    let first: BuiltBotProcess | undefined;
    let second: BuiltBotProcess | undefined;
    try {
      [first, second] = await Promise.all([
        startBuiltBotProcess(fake, model, environment),
        startBuiltBotProcess(fake, model, environment),
      ]);
      const message = mention();
      model.script(fakeSteps.slow(300, "A blue rectangle."));
      // Slack sends both subscriptions' events for one message, with different event ids, at once.
      const [asMention, asMessage] = await Promise.all([
        first.driver.sendEvent(first.driver.appMention(channel, message)),
        second.driver.sendEvent(second.driver.channelMessage(channel, message)),
      ]);
      assert.equal(asMention.status, 200);
      assert.equal(asMessage.status, 200);
      await waitFor(() => /A blue rectangle\./.test(replies(message).join("")), "the answer", 30_000);
      await sleep(1_500);
      assert.equal(replies(message).length, 1, `one answer in the thread: ${JSON.stringify(replies(message))}`);
      assert.equal(model.requests.length, 1, "one model request");
    } finally {
      await killAll([first, second]);
      await close();
    }
  });

  it("finishes the answer of a replica killed mid-answer, leaving exactly one answer and no placeholder", {
    timeout: 120_000,
  }, async () => {
    const { fake, model, environment, mention, replies, close } = await scene("killed");
    let first: BuiltBotProcess | undefined;
    let second: BuiltBotProcess | undefined;
    try {
      first = await startBuiltBotProcess(fake, model, environment);
      const message = mention();
      // The first replica's model call never finishes in time; the second one's answers at once.
      model.script(fakeSteps.slow(120_000, "Too late."), fakeSteps.answer("A blue rectangle, recovered."));
      assert.equal((await first.driver.sendEvent(first.driver.appMention(channel, message))).status, 200);
      await waitFor(() => model.requests.length === 1, "the first replica to ask the model", 30_000);
      assert.match(replies(message).join(""), /Looking at the image/, "the placeholder is up");
      second = await startBuiltBotProcess(fake, model, environment);

      const killedAt = Date.now();
      await first.stop("SIGKILL");
      await waitFor(
        () => /A blue rectangle, recovered\./.test(replies(message).join("")),
        "another replica to finish the answer",
        60_000,
      );
      const recoveredIn = Date.now() - killedAt;
      assert.ok(recoveredIn < 60_000, `recovered within 60 s (took ${recoveredIn} ms)`);
      await sleep(1_000);
      const thread = replies(message);
      // The streamed answer keeps its opening line above the answer; the dead replica's own message is gone.
      assert.equal(
        thread.length,
        1,
        `exactly one bot message in the thread, no stale placeholder: ${JSON.stringify(thread)}`,
      );
      assert.match(thread[0] ?? "", /recovered/);
      assert.equal(fake.callsOf("chat.delete").length, 1, "the dead replica's placeholder was removed");
      assert.match(second.stderr(), /Taking over the answer to C0REPLICA\/\S+ from a replica that stopped/);
      assert.equal(model.requests.length, 2);
    } finally {
      await killAll([first, second]);
      await close();
    }
  });

  it("spends a user's budget across replicas exactly as one replica does", { timeout: 150_000 }, async () => {
    // Every answer costs 1,000 tokens; a budget of 2,500 lets a few through, then refuses.
    const budget = { GLANCE_USER_DAILY_TOKENS: "2500" };
    const usage = { prompt_tokens: 900, completion_tokens: 100, total_tokens: 1_000 };
    const mentions = 5;

    async function answersWith(replicaCount: number): Promise<{ answered: number; refused: number }> {
      const { fake, model, environment, mention, replies, close } = await scene(`budget-${replicaCount}`, budget);
      const replicas: BuiltBotProcess[] = [];
      try {
        replicas.push(
          ...(await Promise.all(
            Array.from({ length: replicaCount }, () => startBuiltBotProcess(fake, model, environment)),
          )),
        );
        let answered = 0;
        let refused = 0;
        for (let index = 0; index < mentions; index += 1) {
          const replica = replicas[index % replicas.length];
          if (replica === undefined) throw new Error("No replica.");
          model.script(fakeSteps.answer(`Answer ${index}.`, { usage }));
          const message = mention(`question ${index}`);
          assert.equal((await replica.driver.sendEvent(replica.driver.appMention(channel, message))).status, 200);
          await waitFor(
            () => /Answer \d+\.|tokens for today/.test(replies(message).join("")),
            `the reply to mention ${index}`,
            30_000,
          );
          if (/tokens for today/.test(replies(message).join(""))) refused += 1;
          else answered += 1;
        }
        return { answered, refused };
      } finally {
        await killAll(replicas);
        await close();
      }
    }

    const single = await answersWith(1);
    assert.ok(
      single.answered > 0 && single.refused > 0,
      `the budget ran out on one replica: ${JSON.stringify(single)}`,
    );
    const shared = await answersWith(2);
    assert.deepEqual(shared, single, "two replicas answer exactly as many as one");
  });

  it("finishes an answer in flight on SIGTERM and exits 0 well within 30 s", { timeout: 90_000 }, async () => {
    const { fake, model, environment, mention, replies, close } = await scene("sigterm-finish");
    let replica: BuiltBotProcess | undefined;
    try {
      replica = await startBuiltBotProcess(fake, model, environment);
      const message = mention();
      model.script(fakeSteps.slow(3_000, "A blue rectangle, finished on shutdown."));
      assert.equal((await replica.driver.sendEvent(replica.driver.appMention(channel, message))).status, 200);
      await waitFor(() => model.requests.length === 1, "the model call", 30_000);
      const stopped = await replica.stop("SIGTERM");
      assert.equal(stopped.signal, null, "it shut down by itself");
      assert.equal(stopped.code, 0, `exit code 0 (stderr: ${replica.stderr()})`);
      assert.ok(stopped.milliseconds < 30_000, `exited within 30 s (took ${stopped.milliseconds} ms)`);
      const thread = replies(message);
      assert.equal(thread.length, 1, JSON.stringify(thread));
      assert.match(thread[0] ?? "", /A blue rectangle, finished on shutdown\./, "the answer was finished first");
      assert.doesNotMatch(replica.stderr(), /\n\s+at /, "no stack trace");
    } finally {
      await killAll([replica]);
      await close();
    }
  });

  it("hands an answer that outlasts the shutdown back to another replica and exits within 30 s", {
    timeout: 150_000,
  }, async () => {
    const { fake, model, environment, mention, replies, close } = await scene("sigterm-hand-back");
    let first: BuiltBotProcess | undefined;
    let second: BuiltBotProcess | undefined;
    try {
      first = await startBuiltBotProcess(fake, model, environment);
      const message = mention();
      model.script(fakeSteps.slow(120_000, "Too late."), fakeSteps.answer("A blue rectangle, handed back."));
      assert.equal((await first.driver.sendEvent(first.driver.appMention(channel, message))).status, 200);
      await waitFor(() => model.requests.length === 1, "the first replica to ask the model", 30_000);
      second = await startBuiltBotProcess(fake, model, environment);

      const stopped = await first.stop("SIGTERM");
      assert.equal(stopped.code, 0, `exit code 0 (stderr: ${first.stderr()})`);
      assert.ok(stopped.milliseconds < 30_000, `exited within 30 s (took ${stopped.milliseconds} ms)`);
      assert.match(first.stderr(), /they are handed back/);
      await waitFor(
        () => /A blue rectangle, handed back\./.test(replies(message).join("")),
        "the other replica to answer",
        60_000,
      );
      await sleep(1_000);
      const thread = replies(message);
      assert.equal(
        thread.length,
        1,
        `exactly one bot message in the thread, no stale placeholder: ${JSON.stringify(thread)}`,
      );
      assert.match(thread[0] ?? "", /handed back/);
      assert.equal(fake.callsOf("chat.delete").length, 1, "the first replica's placeholder was removed");
    } finally {
      await killAll([first, second]);
      await close();
    }
  });
});
