import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { BotConfigError, loadConfig } from "../../bot/src/config.js";
import {
  countMedia,
  type FakeChatBody,
  type FakeModelStudio,
  fakeSteps,
  startFakeModelStudio,
} from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { screenshotPng, sixteenBitPng, video1sMp4, video10sMp4 } from "../support/media-factory.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0THREADS";
const dm = "D0ALICE";
const user = "U0ALICE";

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 40, b: 200 - seed } } })
    .png()
    .toBuffer();
}

describe("threads, DMs, video, locate and /ocr", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "general" });
    fake.addChannel({ id: dm, name: "alice-dm", isIm: true });
    fake.addUser({ id: user, name: "alice" });
    running = await startBot(fake, model);
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  async function settled(target: string, ts: string, count = 1): Promise<string[]> {
    await waitFor(() => botReplies(fake, target, ts).length >= count, `reply ${count} in ${target}/${ts}`);
    await running.bot.idle();
    return botReplies(fake, target, ts);
  }

  it("continues a thread with its history and earlier image, reading the thread once", async () => {
    const file = fake.addFile({ name: "first.png", mimetype: "image/png", content: await smallPng(1), user });
    const root = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what is this?`, files: [file] });
    model.script(fakeSteps.answer("It is a blue rectangle."));
    await running.driver.sendEvent(running.driver.appMention(channel, root));
    await settled(channel, root.ts);

    const followUp = fake.postUserMessage(channel, {
      user,
      text: `<@${fake.botUserId}> which shade?`,
      thread_ts: root.ts,
    });
    model.script(fakeSteps.answer("Mostly blue."));
    await running.driver.sendEvent(running.driver.appMention(channel, followUp));
    await settled(channel, root.ts, 2);
    const body = model.requests.at(-1)?.body as FakeChatBody;
    assert.equal(countMedia(body).images, 1, "the thread's earlier image is reused");
    const texts = JSON.stringify(body.messages);
    assert.match(texts, /what is this\?/);
    assert.match(texts, /It is a blue rectangle\./, "the earlier answer is history");
    assert.ok(body.messages.some((message) => message.role === "assistant"));
    const repliesCallsBefore = fake.callsOf("conversations.replies").length;

    const third = fake.postUserMessage(channel, {
      user,
      text: `<@${fake.botUserId}> thanks, and the size?`,
      thread_ts: root.ts,
    });
    await running.driver.sendEvent(running.driver.appMention(channel, third));
    await settled(channel, root.ts, 3);
    // The thread is known from the first answer on (the bot remembers what it posted): no more reads.
    assert.equal(
      fake.callsOf("conversations.replies").length - repliesCallsBefore,
      0,
      "thread history is read once and cached, not re-read for every message",
    );
  });

  it("a follow-up sees an image posted in the thread without a mention since the last answer", async () => {
    const first = fake.addFile({ name: "a.png", mimetype: "image/png", content: await smallPng(30), user });
    const root = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what is this?`, files: [first] });
    model.script(fakeSteps.answer("Image A."));
    await running.driver.sendEvent(running.driver.appMention(channel, root));
    await settled(channel, root.ts);
    // A first follow-up fills the thread cache.
    const ask = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> sure?`, thread_ts: root.ts });
    await running.driver.sendEvent(running.driver.appMention(channel, ask));
    await settled(channel, root.ts, 2);

    const second = fake.addFile({ name: "b.png", mimetype: "image/png", content: await smallPng(31), user });
    const plain = fake.postUserMessage(channel, { user, text: "here is B", thread_ts: root.ts, files: [second] });
    const requestsBefore = model.requests.length;
    await running.driver.sendEvent(running.driver.channelMessage(channel, plain));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await running.bot.idle();
    assert.equal(model.requests.length, requestsBefore, "a plain thread message without a mention is not answered");
    assert.equal(botReplies(fake, channel, root.ts).length, 2);

    const compare = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> compare`, thread_ts: root.ts });
    await running.driver.sendEvent(running.driver.appMention(channel, compare));
    await running.driver.sendEvent(running.driver.channelMessage(channel, compare));
    await settled(channel, root.ts, 3);
    assert.equal(botReplies(fake, channel, root.ts).length, 3, "the mention delivered twice is answered once");
    assert.equal(countMedia(model.requests.at(-1)?.body as FakeChatBody).images, 2, "images A and B are both sent");
  });

  it("answers a DM without a mention", async () => {
    const file = fake.addFile({ name: "dm.png", mimetype: "image/png", content: await smallPng(2), user });
    const message = fake.postUserMessage(dm, { user, text: "what colour is this?", files: [file] });
    await running.driver.sendEvent(running.driver.directMessage(dm, message));
    const replies = await settled(dm, message.ts);
    assert.match(replies.join("\n"), /received 1 image/);
  });

  it("sends a video and says so in the placeholder", async () => {
    const file = fake.addFile({
      name: "clip.mp4",
      mimetype: "video/mp4",
      content: await readFile(await video10sMp4()),
      user,
    });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what happens?`, files: [file] });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    const replies = await settled(channel, message.ts);
    const counts = countMedia(model.requests.at(-1)?.body as FakeChatBody);
    assert.equal(counts.videos + counts.frameLists, 1, replies.join("\n"));
    assert.match(replies.join("\n"), /received 0 image\(s\), [01] video file\(s\) and [01] frame list/);
    const placeholder = fake.callsOf("chat.startStream").find((call) => call.arguments.thread_ts === message.ts);
    assert.match(String(placeholder?.arguments.markdown_text), /Looking at the video/);

    const short = fake.addFile({
      name: "blink.mp4",
      mimetype: "video/mp4",
      content: await readFile(await video1sMp4()),
      user,
    });
    const tooShort = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> and this?`, files: [short] });
    await running.driver.sendEvent(running.driver.appMention(channel, tooShort));
    const refusal = await settled(channel, tooShort.ts);
    assert.match(refusal.join("\n"), /blink\.mp4: the video duration is 1(\.00)? s, but must be at least 2 s/);
  });

  it("answers a locate question with labelled boxes uploaded to the thread", async () => {
    const content = await readFile(await screenshotPng());
    const file = fake.addFile({ name: "screen.png", mimetype: "image/png", content, user });
    const message = fake.postUserMessage(channel, {
      user,
      text: `<@${fake.botUserId}> where is the run workflow button?`,
      files: [file],
    });
    model.script(fakeSteps.answer('[{"bbox_2d": [570, 210, 680, 260], "label": "Run workflow"}]'));
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    await waitFor(() => fake.uploads.some((upload) => upload.threadTs === message.ts), "the annotated upload");
    await running.bot.idle();
    const upload = fake.uploads.find((item) => item.threadTs === message.ts);
    const metadata = await sharp(upload?.content).metadata();
    assert.equal(metadata.format, "png");
    assert.equal(metadata.width, 1280, "drawn on the original, full size");
    assert.match(botReplies(fake, channel, message.ts).join("\n"), /Run workflow/);

    // A fresh process (no cache) reads the thread: the bot's located.png is not an image to look at.
    const fresh = await startBot(fake, model);
    try {
      const followUp = fake.postUserMessage(channel, {
        user,
        text: `<@${fake.botUserId}> what colour is it?`,
        thread_ts: message.ts,
      });
      await fresh.driver.sendEvent(fresh.driver.appMention(channel, followUp));
      await waitFor(() => botReplies(fake, channel, message.ts).length >= 3, "the follow-up answer");
      await fresh.bot.idle();
      assert.equal(countMedia(model.requests.at(-1)?.body as FakeChatBody).images, 1, "only the user's screenshot");
    } finally {
      await fresh.stop();
    }
  });

  it("/ocr reads the channel's latest image, ephemerally, and shares on request", async () => {
    const file = fake.addFile({ name: "receipt.png", mimetype: "image/png", content: await smallPng(3), user });
    fake.postUserMessage(channel, { user, text: "receipt", files: [file] });
    model.script(fakeSteps.answer("TOTAL 42.00"));
    const delivery = await running.driver.sendSlashCommand({
      command: "/ocr",
      text: "",
      userId: user,
      channelId: channel,
    });
    assert.equal(delivery.status, 200);
    await waitFor(() => fake.responses.length > 0, "the /ocr response");
    await running.bot.idle();
    assert.equal(fake.responses.at(-1)?.body.text, "TOTAL 42.00");
    assert.equal(fake.responses.at(-1)?.body.response_type, "ephemeral");

    model.script(fakeSteps.answer('{"Invoice number": "A-17", "Total": "42.00"}'));
    const before = fake.responses.length;
    await running.driver.sendSlashCommand({
      command: "/ocr",
      text: "fields: Invoice number, Total share",
      userId: user,
      channelId: channel,
    });
    await waitFor(() => fake.responses.length > before, "the fields response");
    await running.bot.idle();
    const answer = fake.responses.at(-1)?.body;
    assert.equal(answer?.response_type, "in_channel");
    assert.deepEqual(JSON.parse(String(answer?.text).replace(/```/g, "")), {
      "Invoice number": "A-17",
      Total: "42.00",
    });
  });

  it("the Describe shortcut works on a message with an image", async () => {
    const file = fake.addFile({ name: "shot.png", mimetype: "image/png", content: await smallPng(4), user });
    const message = fake.postUserMessage(channel, { user, text: "look", files: [file] });
    model.script(fakeSteps.answer("A small blue picture."));
    const before = fake.responses.length;
    await running.driver.sendMessageShortcut({ callbackId: "describe", userId: user, channelId: channel, message });
    await waitFor(() => fake.responses.length > before, "the shortcut response");
    assert.equal(fake.responses.at(-1)?.body.text, "A small blue picture.");
  });
});

describe("daily token budgets and the concurrency limit refuse politely", () => {
  it("refuses politely past a user's daily tokens, and when the queue is full", async () => {
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "general" });
    const running = await startBot(fake, model, {
      environment: { GLANCE_USER_DAILY_TOKENS: "200", GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1" },
    });
    try {
      const ask = async (seed: number) => {
        const file = fake.addFile({ name: `b${seed}.png`, mimetype: "image/png", content: await smallPng(seed), user });
        return fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> hi`, files: [file] });
      };
      const first = await ask(10);
      // The answer costs more than the day's budget: booked anyway (it was spent), so the next is refused.
      model.script(
        fakeSteps.answer("ok", { usage: { prompt_tokens: 400, completion_tokens: 100, total_tokens: 500 } }),
      );
      await running.driver.sendEvent(running.driver.appMention(channel, first));
      await waitFor(() => botReplies(fake, channel, first.ts).length > 0, "the first answer");
      await running.bot.idle();
      const second = await ask(11);
      await running.driver.sendEvent(running.driver.appMention(channel, second));
      await waitFor(() => /tokens for today/.test(botReplies(fake, channel, second.ts).join("")), "the budget reply");
      await running.bot.idle();
      // The budget is spent: the question is refused before its file is even downloaded.
      const secondFile = second.files?.[0]?.id;
      assert.ok(!fake.fileRequests.some((request) => request.fileId === secondFile), "not downloaded");

      const busy = await startBot(fake, model, {
        environment: { GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1" },
      });
      try {
        model.script(fakeSteps.slow(600), fakeSteps.slow(100));
        const messages = [await ask(20), await ask(21), await ask(22)];
        for (const message of messages) {
          await busy.driver.sendEvent(busy.driver.appMention(channel, message));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await waitFor(
          () => messages.every((message) => botReplies(fake, channel, message.ts).length === 1),
          "3 replies",
        );
        await busy.bot.idle();
        const replies = messages.map((message) => botReplies(fake, channel, message.ts).join(""));
        assert.equal(replies.filter((reply) => /queue is full/.test(reply)).length, 1);
        assert.equal(replies.filter((reply) => /slow answer/.test(reply)).length, 2);
      } finally {
        await busy.stop();
      }
    } finally {
      await running.stop();
      await Promise.all([fake.close(), model.close()]);
    }
  });
});

describe("the budget is reserved from headers, before a file is decoded", () => {
  it("refuses an answer over budget without preparing its image, and refunds one whose image fails to decode", async () => {
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "general" });
    // 640x480 costs about 300 tokens: within a budget of 500, over one of 200.
    const running = await startBot(fake, model, { environment: { GLANCE_USER_DAILY_TOKENS: "200" } });
    try {
      // A real PNG whose container is whole (every chunk in place) but whose compressed pixels are
      // garbage: its header gives the exact cost, and only decoding it would fail. 16 bits per channel,
      // so it is never sent as it is (the fast path would not decode it either way).
      const png = Buffer.from(await readFile(await sixteenBitPng()));
      let offset = 8;
      while (png.toString("latin1", offset + 4, offset + 8) !== "IDAT") offset += 12 + png.readUInt32BE(offset);
      png.fill(0x5a, offset + 8 + 64, offset + 8 + Math.min(png.readUInt32BE(offset), 4000));
      const file = fake.addFile({ name: "damaged-pixels.png", mimetype: "image/png", content: png, user });
      const message = fake.postUserMessage(channel, {
        user,
        text: `<@${fake.botUserId}> what is this?`,
        files: [file],
      });
      const requestsBefore = model.requests.length;
      await running.driver.sendEvent(running.driver.appMention(channel, message));
      await waitFor(() => botReplies(fake, channel, message.ts).join("").length > 0, "a reply");
      await running.bot.idle();
      // Refused by the budget, with the estimate from the header: preparing would have failed instead.
      const reply = botReplies(fake, channel, message.ts).join("");
      assert.match(reply, /this request needs about 3\d\d/, reply);
      assert.equal(model.requests.length, requestsBefore);
    } finally {
      await running.stop();
    }
    // With room in the budget, the same file is reserved for, fails to decode, and the reservation is refunded.
    const roomy = await startBot(fake, model, { environment: { GLANCE_USER_DAILY_TOKENS: "500" } });
    try {
      const png = Buffer.from(await readFile(await sixteenBitPng()));
      let offset = 8;
      while (png.toString("latin1", offset + 4, offset + 8) !== "IDAT") offset += 12 + png.readUInt32BE(offset);
      png.fill(0x5a, offset + 8 + 64, offset + 8 + Math.min(png.readUInt32BE(offset), 4000));
      const askWith = async (name: string, content: Buffer) => {
        const file = fake.addFile({ name, mimetype: "image/png", content, user });
        const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> and this?`, files: [file] });
        await roomy.driver.sendEvent(roomy.driver.appMention(channel, message));
        await waitFor(() => botReplies(fake, channel, message.ts).join("").length > 0, `a reply about ${name}`);
        await roomy.bot.idle();
        return botReplies(fake, channel, message.ts).join("");
      };
      // Twice: without the refund, the second reservation of about 300 would not fit in 500.
      assert.doesNotMatch(await askWith("damaged-1.png", png), /tokens for today/);
      assert.doesNotMatch(await askWith("damaged-2.png", png), /tokens for today/);
      model.script(fakeSteps.answer("A photo."));
      assert.match(await askWith("fine.png", await readFile(await sixteenBitPng())), /A photo\./);
    } finally {
      await roomy.stop();
      await Promise.all([fake.close(), model.close()]);
    }
  });
});

describe("a hung Slack call (timeouts)", () => {
  it("gives up on a Web API call that never answers, so the answer slot is freed", async () => {
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "general" });
    const running = await startBot(fake, model, {
      environment: { GLANCE_MAX_CONCURRENT: "1" },
      dependencies: { slackTimeoutMilliseconds: 200 },
    });
    try {
      const file = fake.addFile({ name: "hung.png", mimetype: "image/png", content: await smallPng(40), user });
      const root = fake.postUserMessage(channel, { user, text: "look", files: [file] });
      const followUp = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what?`, thread_ts: root.ts });
      // Every attempt at reading the thread hangs far longer than the timeout.
      fake.failNext("conversations.replies", { delayMilliseconds: 60_000 }, 10);
      await running.driver.sendEvent(running.driver.appMention(channel, followUp));
      await waitFor(() => botReplies(fake, channel, root.ts).length > 0, "a reply despite the hung call", 9_000);
      const next = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> and this?`, files: [file] });
      await running.driver.sendEvent(running.driver.appMention(channel, next));
      await waitFor(
        () => /received 1 image/.test(botReplies(fake, channel, next.ts).join("")),
        "the next answer",
        9_000,
      );
    } finally {
      await running.stop();
      await Promise.all([fake.close(), model.close()]);
    }
  });
});

describe("configuration (start-up checks)", () => {
  it("names every missing or bad variable once, without printing secrets", () => {
    const secret = "xoxp-user-token-that-must-not-print";
    assert.throws(
      () => loadConfig({ SLACK_BOT_TOKEN: secret, PORT: "http", GLANCE_MAX_CONCURRENT: "0" }),
      (error: unknown) => {
        assert.ok(error instanceof BotConfigError);
        const text = error.message;
        assert.ok(!text.includes(secret));
        for (const name of ["SLACK_BOT_TOKEN", "DASHSCOPE_API_KEY", "PORT", "GLANCE_MAX_CONCURRENT"]) {
          assert.match(text, new RegExp(name));
        }
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", DASHSCOPE_API_KEY: "sk-1" }),
      /SLACK_SIGNING_SECRET is not set.*SLACK_APP_TOKEN/,
    );
    assert.throws(
      () =>
        loadConfig({
          SLACK_BOT_TOKEN: "xoxb-1",
          DASHSCOPE_API_KEY: "sk-1",
          SLACK_APP_TOKEN: "xapp-1",
          GLANCE_MODEL: "gpt-nope",
        }),
      /GLANCE_MODEL/,
    );
    const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", DASHSCOPE_API_KEY: "sk-1", SLACK_APP_TOKEN: "xapp-1" });
    assert.equal(config.model, "qwen3.5-plus");
    assert.equal(config.slackAppToken, "xapp-1");
  });
});
