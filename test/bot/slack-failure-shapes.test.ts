/*
 * The bot against Slack's and Model Studio's real failure shapes (issue 12, items 7-9 and the bot's
 * side of item 2), on fakes that behave as the services document: a streaming message refuses
 * chat.update (streaming_state_conflict) and keeps its streamed text through an edit that sends no
 * blocks; chat.startStream in a channel needs the recipient's user and own team; rate limits are per
 * method and workspace (test/fakes/slack-chat.ts, slack-rate-limits.ts cite the sources).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { RedisState } from "../../bot/src/state/redis-state.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, shownText, startFakeSlack } from "../fakes/slack.js";
import { pacedModelFetch } from "../support/paced-fetch.js";
import { startTestRedis, uniquePrefix } from "../support/redis-server.js";
import { type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const startedRedis = await startTestRedis("slack-failure-shapes.test.ts");

const channel = "C0SHAPES";
const user = "U0ALICE";

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 90, b: 160 } } })
    .png()
    .toBuffer();
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

const refusedLine =
  ":no_entry: Model Studio's content check refused the answer part-way, so I removed it. Ask differently or try other files.";

describe("Slack's failure shapes", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;
  let seed = 0;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "shapes" });
    running = await startBot(fake, model, { dependencies: { fetch: pacedModelFetch(model.baseUrl, 10) } });
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
    await startedRedis.redis?.close();
  });

  async function ask(bot: RunningBot, where: string, text: string, asker = user): Promise<FakeSlackMessage> {
    seed += 1;
    const file = fake.addFile({
      name: `f${seed}.png`,
      mimetype: "image/png",
      content: await smallPng(seed),
      user: asker,
    });
    const message = fake.postUserMessage(where, { user: asker, text: `<@${fake.botUserId}> ${text}`, files: [file] });
    await bot.driver.sendEvent(bot.driver.appMention(where, message));
    return message;
  }

  /** The bot's messages in the thread once every answer has settled. */
  async function settled(bot: RunningBot, threadTs: string, where = channel): Promise<FakeSlackMessage[]> {
    const replies = () =>
      fake.messages(where).filter((message) => message.bot_id !== undefined && message.thread_ts === threadTs);
    await waitFor(() => replies().length > 0, "a reply");
    await bot.bot.idle();
    return replies();
  }

  function sentences(label: string): string[] {
    return Array.from({ length: 24 }, (_, index) => `${label} ${index} is in the picture.`);
  }

  it("stops a stream before rewriting it with chat.update, and the rewrite leaves no streamed text showing", async () => {
    const expected = sentences("Fact");
    model.script(fakeSteps.answer(expected.join(" ")));
    // The first append lands, the next fails: the answer continues by editing the streamed message.
    fake.failNext("chat.appendStream", { status: 503, afterCalls: 1 });
    const message = await ask(running, channel, "describe");
    const replies = await settled(running, message.ts);
    assert.equal(replies.length, 1);
    const reply = replies[0];
    assert.equal(reply?.stream_state, "stopped", "never left mid-stream");
    const shown = shownText(reply ?? { ts: "", channel, text: "" });
    for (const sentence of expected) assert.equal(occurrences(shown, sentence), 1, `${sentence} in: ${shown}`);
    assert.ok(fake.callsOf("chat.update").some((call) => call.arguments.ts === reply?.ts));
  });

  it("waits out a rate-limited chat.stopStream in the fallback, so the message is stopped and then edited", async () => {
    const expected = sentences("Point");
    model.script(fakeSteps.answer(expected.join(" ")));
    fake.failNext("chat.appendStream", { status: 503, afterCalls: 1 });
    fake.failNext("chat.stopStream", { status: 429, headers: { "retry-after": "1" } });
    const message = await ask(running, channel, "describe again");
    const replies = await settled(running, message.ts);
    assert.equal(replies.length, 1);
    const reply = replies[0];
    assert.equal(reply?.stream_state, "stopped", `never left mid-stream: ${running.logs.slice(-4).join(" / ")}`);
    const shown = shownText(reply ?? { ts: "", channel, text: "" });
    for (const sentence of expected) assert.equal(occurrences(shown, sentence), 1, `${sentence} in: ${shown}`);
    assert.equal(fake.callsOf("chat.stopStream").filter((call) => call.arguments.ts === reply?.ts).length, 2);
  });

  it("replaces an answer the content check refused part-way with one line, streamed or edited", async () => {
    model.script(fakeSteps.streamRefused(sentences("Detail").join(" "), 1_000));
    const message = await ask(running, channel, "what is this");
    const replies = await settled(running, message.ts);
    assert.equal(replies.length, 1);
    const reply = replies[0];
    assert.ok(
      fake.callsOf("chat.appendStream").some((call) => call.arguments.ts === reply?.ts),
      "part of the answer had been streamed",
    );
    assert.equal(reply?.stream_state, "stopped");
    assert.equal(shownText(reply ?? { ts: "", channel, text: "" }), refusedLine);

    const classic = await startBot(fake, model, {
      dependencies: { fetch: pacedModelFetch(model.baseUrl, 10), streaming: false },
    });
    try {
      model.script(fakeSteps.streamRefused(sentences("Item").join(" "), 1_000));
      const asked = await ask(classic, channel, "and this");
      const edited = await settled(classic, asked.ts);
      assert.ok(
        fake
          .callsOf("chat.update")
          .some((call) => call.arguments.ts === edited[0]?.ts && /Item 0/.test(String(call.arguments.text))),
        "part of the answer had been shown",
      );
      assert.deepEqual(
        edited.map((item) => shownText(item)),
        [refusedLine],
      );
    } finally {
      await classic.stop();
    }
  });

  it("streams to a Slack Connect user with the user's own team as recipient_team_id", async () => {
    const guest = "U0GUEST";
    fake.addUser({ id: guest, name: "guest", teamId: "T0PARTNER" });
    model.script(fakeSteps.answer("A diagram of two services."));
    const message = await ask(running, channel, "describe", guest);
    const replies = await settled(running, message.ts);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.stream_state, "stopped");
    const start = fake.callsOf("chat.startStream").find((call) => call.arguments.thread_ts === message.ts);
    assert.equal(start?.arguments.recipient_user_id, guest);
    assert.equal(start?.arguments.recipient_team_id, "T0PARTNER");
  });

  /**
   * Answers in four channels of one workspace at once, by `bots` (replicas), editing (not streaming)
   * with progress edits as fast as they may; the fake limits chat.update per workspace as Slack does.
   */
  async function answerInFourChannels(bots: RunningBot[], label: string): Promise<void> {
    const channels = ["A", "B", "C", "D"].map((letter) => `C0${label}${letter}`);
    for (const id of channels) fake.addChannel({ id, name: id.toLowerCase() });
    const asked: { where: string; message: FakeSlackMessage }[] = [];
    for (const [index, where] of channels.entries()) {
      model.script(fakeSteps.answer(sentences(`${label}${index}`).join(" ")));
      const bot = bots[index % bots.length];
      if (bot === undefined) throw new Error("No bot.");
      asked.push({ where, message: await ask(bot, where, "describe") });
    }
    for (const { where, message } of asked) {
      await waitFor(
        () =>
          fake
            .messages(where)
            .some((item) => item.thread_ts === message.ts && /is in the picture\.\s*$/.test(item.text)),
        `the answer in ${where}`,
        30_000,
      );
    }
    await Promise.all(bots.map((bot) => bot.bot.idle()));
  }

  it("keeps chat.update within one budget for the whole workspace, whichever channel", async () => {
    // Slack's limit: 60 a minute with a burst of 12 (the bot's own budget: 60 a minute, bursts of 10).
    fake.rateLimit("chat.update", { perMinute: 60, burst: 12 });
    const classic = await startBot(fake, model, {
      dependencies: { fetch: pacedModelFetch(model.baseUrl, 10), streaming: false, chatUpdatesPerMinute: 60 },
    });
    try {
      const before = fake.callsOf("chat.update").length;
      await answerInFourChannels([classic], "WS");
      const updates = fake.callsOf("chat.update").slice(before);
      assert.ok(updates.length >= 4, "every answer's final edit");
      assert.equal(updates.filter((call) => call.rateLimited === true).length, 0, "no edit was rate-limited");
    } finally {
      fake.rateLimit("chat.update", { perMinute: 60_000, burst: 1_000 });
      await classic.stop();
    }
  });

  it("shares the workspace's chat.update budget between replicas on Redis", { skip: startedRedis.skip }, async () => {
    const redis = startedRedis.redis;
    if (redis === undefined) throw new Error("No Redis.");
    fake.rateLimit("chat.update", { perMinute: 60, burst: 12 });
    const prefix = uniquePrefix("workspace-updates");
    const states = await Promise.all(
      [1, 2].map(() =>
        RedisState.open({
          url: redis.url,
          prefix,
          logger: { info: () => {}, warn: () => {} },
          chatUpdatesPerMinute: 60,
        }),
      ),
    );
    const replicas = await Promise.all(
      states.map((state) =>
        startBot(fake, model, {
          dependencies: { fetch: pacedModelFetch(model.baseUrl, 10), streaming: false, state },
        }),
      ),
    );
    try {
      const before = fake.callsOf("chat.update").length;
      await answerInFourChannels(replicas, "RS");
      const updates = fake.callsOf("chat.update").slice(before);
      assert.ok(updates.length >= 4, "every answer's final edit");
      assert.equal(updates.filter((call) => call.rateLimited === true).length, 0, "no edit was rate-limited");
    } finally {
      fake.rateLimit("chat.update", { perMinute: 60_000, burst: 1_000 });
      await Promise.all(replicas.map((replica) => replica.stop()));
      await Promise.all(states.map((state) => state.close()));
    }
  });

  it("makes only the rate-limited call wait out its Retry-After, not the client's other calls", async () => {
    const client = running.bot.services.client;
    const posted = await client.chat.postMessage({ channel, text: "to be edited" });
    fake.failNext("chat.update", { status: 429, headers: { "retry-after": "4" } });
    const edit = client.chat.update({ channel, ts: String(posted.ts), text: "edited" });
    await waitFor(() => fake.callsOf("chat.update").some((call) => call.arguments.ts === posted.ts), "the edit");
    const limitedAt = Date.now();
    await client.conversations.replies({ channel, ts: String(posted.ts) });
    const tookMilliseconds = Date.now() - limitedAt;
    await edit;
    assert.ok(tookMilliseconds < 3_000, `another call waited ${tookMilliseconds} ms behind a 429 of chat.update`);
    assert.equal(fake.messages(channel).find((item) => item.ts === posted.ts)?.text, "edited", "the edit landed");
  });
});
