import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0STREAM";
const user = "U0BOB";

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 120, b: 30 } } })
    .png()
    .toBuffer();
}

/**
 * The real fetch, except that one answer of the model pauses after its first `pauseAfterBytes`: the
 * bot has streamed part of the answer when the pause starts, so a test can expire the stream mid-answer.
 */
function pausingFetch(modelBaseUrl: string): { fetch: typeof globalThis.fetch; armPause(milliseconds: number): void } {
  let pauseMilliseconds = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(modelBaseUrl) || pauseMilliseconds === 0 || response.body === null) return response;
    const pause = pauseMilliseconds;
    pauseMilliseconds = 0;
    const reader = response.body.getReader();
    let paused = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        controller.enqueue(value);
        if (!paused) {
          paused = true;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return {
    fetch,
    armPause: (milliseconds) => {
      pauseMilliseconds = milliseconds;
    },
  };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("streamed answers, and posts that time out but land", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;
  let pausing: ReturnType<typeof pausingFetch>;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "streams" });
    pausing = pausingFetch(model.baseUrl);
    running = await startBot(fake, model, {
      dependencies: { fetch: pausing.fetch, postTimeoutMilliseconds: 400 },
    });
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  async function ask(text: string, seed: number): Promise<FakeSlackMessage> {
    const file = fake.addFile({ name: `s${seed}.png`, mimetype: "image/png", content: await smallPng(seed), user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    return message;
  }

  async function settled(threadTs: string): Promise<FakeSlackMessage[]> {
    await waitFor(() => botReplies(fake, channel, threadTs).length > 0, "a reply");
    await running.bot.idle();
    return fake.messages(channel).filter((message) => message.bot_id !== undefined && message.thread_ts === threadTs);
  }

  it("streams an answer into one message that starts with the placeholder and arrives complete", async () => {
    const sentences = Array.from({ length: 30 }, (_, index) => `Sentence ${index} about the layout.`);
    model.script(fakeSteps.answer(sentences.join(" ")));
    const message = await ask("describe it", 1);
    const replies = await settled(message.ts);
    assert.equal(replies.length, 1);
    const reply = replies[0];
    assert.equal(reply?.stream_state, "stopped");
    assert.match(reply?.text ?? "", /^:eyes: Looking at the image\.\.\.\n\n/);
    for (const sentence of sentences) assert.equal(occurrences(reply?.text ?? "", sentence), 1, sentence);
    const ts = reply?.ts;
    assert.ok(fake.callsOf("chat.appendStream").some((call) => call.arguments.ts === ts));
    assert.equal(fake.callsOf("chat.stopStream").filter((call) => call.arguments.ts === ts).length, 1);
    assert.ok(!fake.callsOf("chat.update").some((call) => call.arguments.ts === ts), "no chat.update needed");
  });

  it("keeps streaming after a rate-limited append: waits Retry-After and appends again", async () => {
    fake.failNext("chat.appendStream", { status: 429, headers: { "retry-after": "1" } });
    const sentences = Array.from({ length: 30 }, (_, index) => `Claim ${index} holds.`);
    model.script(fakeSteps.answer(sentences.join(" ")));
    const message = await ask("verify", 10);
    const replies = await settled(message.ts);
    assert.equal(replies.length, 1);
    const reply = replies[0];
    assert.equal(reply?.stream_state, "stopped");
    for (const sentence of sentences) assert.equal(occurrences(reply?.text ?? "", sentence), 1, sentence);
    assert.ok(
      !fake.callsOf("chat.update").some((call) => call.arguments.ts === reply?.ts),
      `no fallback to chat.update: ${running.logs.slice(-6).join(" / ")}`,
    );
  });

  it("falls back to chat.update when the stream expires mid-answer; the text lands complete exactly once", async () => {
    // About 9,000 characters: the fallback must also split it into chat.update-sized messages.
    const paragraphs = Array.from({ length: 60 }, (_, index) => `Paragraph ${index}: ${"word ".repeat(28)}`);
    model.script(fakeSteps.answer(`${paragraphs.join("\n\n")}\n\nTHE END`));
    pausing.armPause(800);
    const message = await ask("explain at length", 2);
    await waitFor(
      () =>
        fake
          .callsOf("chat.appendStream")
          .some((call) =>
            fake.messages(channel).some((item) => item.ts === call.arguments.ts && item.thread_ts === message.ts),
          ),
      "the first streamed part",
    );
    const streamed = fake.messages(channel).find((item) => item.thread_ts === message.ts && item.bot_id !== undefined);
    assert.ok(streamed !== undefined && /Paragraph 0:/.test(streamed.text), "part of the answer was streamed");
    fake.expireStream(channel, streamed.ts);
    const replies = await settled(message.ts);
    const texts = replies.map((reply) => reply.text);
    assert.ok(texts.length >= 3, `split into several messages (got ${texts.length})`);
    assert.ok(texts.every((text) => text.length <= 4_000));
    const joined = texts.join("\n");
    for (let index = 0; index < 60; index += 1) {
      assert.equal(occurrences(joined, `Paragraph ${index}:`), 1, `paragraph ${index} exactly once`);
    }
    assert.equal(occurrences(joined, "THE END"), 1);
    assert.ok(fake.callsOf("chat.update").some((call) => call.arguments.ts === streamed.ts));
    assert.ok(running.logs.some((line) => /message_not_in_streaming_state/.test(line)));
  });

  it("rewrites the message when an append timed out but landed, so nothing is doubled", async () => {
    fake.failNext("chat.appendStream", { delayMilliseconds: 1_000, landAnyway: true }, 5);
    const sentences = Array.from({ length: 40 }, (_, index) => `Point ${index} is fine.`);
    model.script(fakeSteps.answer(sentences.join(" ")));
    const message = await ask("check it", 3);
    const replies = await settled(message.ts);
    assert.equal(replies.length, 1);
    const text = replies[0]?.text ?? "";
    for (const sentence of sentences) assert.equal(occurrences(text, sentence), 1, sentence);
  });

  it("posts exactly one reply when chat.postMessage times out but lands", async () => {
    const postsBefore = fake.callsOf("chat.postMessage").length;
    fake.failNext("chat.postMessage", { delayMilliseconds: 1_200, landAnyway: true });
    // No file: the reply is a plain chat.postMessage ("I don't see an image...").
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what about this?` });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    await waitFor(() => botReplies(fake, channel, message.ts).length > 0, "the reply");
    await running.bot.idle();
    assert.equal(fake.callsOf("chat.postMessage").length, postsBefore + 1, "never sent again");
    assert.deepEqual(botReplies(fake, channel, message.ts).length, 1);
    assert.match(botReplies(fake, channel, message.ts)[0] ?? "", /don't see an image/);
  });

  it("starts exactly one streamed message when chat.startStream times out but lands", async () => {
    fake.failNext("chat.startStream", { delayMilliseconds: 1_200, landAnyway: true });
    model.script(fakeSteps.answer("All good here."));
    const message = await ask("and this one?", 4);
    const replies = await settled(message.ts);
    assert.equal(replies.length, 1);
    assert.equal(occurrences(replies[0]?.text ?? "", "All good here."), 1);
    assert.equal(fake.callsOf("chat.postMessage").filter((call) => call.arguments.thread_ts === message.ts).length, 0);
  });

  it("never repeats a follow-up message when posting a later one fails (update mode)", async () => {
    const classic = await startBot(fake, model, { dependencies: { streaming: false } });
    try {
      // About 9,000 characters: the placeholder plus two follow-up messages.
      const paragraphs = Array.from({ length: 60 }, (_, index) => `Section ${index}: ${"text ".repeat(28)}`);
      model.script(fakeSteps.answer(paragraphs.join("\n\n")));
      // The placeholder and the first follow-up land; the second follow-up fails.
      fake.failNext("chat.postMessage", { body: { ok: false, error: "fatal_error" }, afterCalls: 2 });
      const file = fake.addFile({ name: "s9.png", mimetype: "image/png", content: await smallPng(9), user });
      const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> in depth`, files: [file] });
      await classic.driver.sendEvent(classic.driver.appMention(channel, message));
      await waitFor(() => botReplies(fake, channel, message.ts).length >= 3, "the answer and its follow-ups");
      await classic.bot.idle();
      const joined = botReplies(fake, channel, message.ts).join("\n");
      for (let index = 0; index < 60; index += 1) {
        assert.equal(occurrences(joined, `Section ${index}:`), 1, `section ${index} exactly once`);
      }
      assert.ok(
        classic.logs.every((line) => !/Unhandled failure/.test(line)),
        "fail() itself did not fail",
      );
    } finally {
      await classic.stop();
    }
  });

  it("shares one chat.update budget per channel across concurrent answers", async () => {
    const busyChannel = "C0BUSY";
    fake.addChannel({ id: busyChannel, name: "busy" });
    // 60 a minute: a burst of 10, then one a second.
    const classic = await startBot(fake, model, { dependencies: { streaming: false, chatUpdatesPerMinute: 60 } });
    try {
      const messages: FakeSlackMessage[] = [];
      for (let index = 0; index < 12; index += 1) {
        const file = fake.addFile({
          name: `u${index}.png`,
          mimetype: "image/png",
          content: await smallPng(40 + index),
          user,
        });
        messages.push(
          fake.postUserMessage(busyChannel, { user, text: `<@${fake.botUserId}> busy ${index}`, files: [file] }),
        );
      }
      const startedAt = Date.now();
      await Promise.all(
        messages.map((message) => classic.driver.sendEvent(classic.driver.appMention(busyChannel, message))),
      );
      await waitFor(
        () => messages.every((message) => /received 1 image/.test(botReplies(fake, busyChannel, message.ts).join(""))),
        "12 answers",
      );
      await classic.bot.idle();
      const times = fake
        .callsOf("chat.update")
        .filter((call) => call.arguments.channel === busyChannel && call.receivedAt >= startedAt)
        .map((call) => call.receivedAt)
        .sort((left, right) => left - right);
      assert.ok(times.length >= 12, "every answer's final edit");
      for (const [index, time] of times.entries()) {
        const inOneSecond = times.slice(index).filter((other) => other < time + 1_000).length;
        assert.ok(inOneSecond <= 11, `${inOneSecond} edits within one second`);
      }
    } finally {
      await classic.stop();
    }
  });
});
