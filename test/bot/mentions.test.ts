import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import {
  countMedia,
  type FakeChatBody,
  type FakeModelStudio,
  fakeSteps,
  startFakeModelStudio,
} from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { screenshotPng, tiny8Png } from "../support/media-factory.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0MENTIONS";
const user = "U0ALICE";

/** A small real PNG, different per seed, so 50 of them stay cheap to prepare. */
function smallPng(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 64, height: 48, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: 90 } },
  })
    .png()
    .toBuffer();
}

describe("mentions with files, answered once, fast and safely", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;
  let screenshot: Buffer;

  before(async () => {
    [fake, model, screenshot] = await Promise.all([
      startFakeSlack(),
      startFakeModelStudio(),
      screenshotPng().then((path) => readFile(path)),
    ]);
    fake.addChannel({ id: channel, name: "design" });
    fake.addUser({ id: user, name: "alice" });
    running = await startBot(fake, model);
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  function mention(text: string, files: ReturnType<FakeSlack["addFile"]>[] = [], threadTs?: string) {
    return fake.postUserMessage(channel, {
      user,
      text: `<@${fake.botUserId}> ${text}`,
      files,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    });
  }

  function image(name: string, content: Buffer, access?: "ok" | "html" | "redirect" | "other-workspace") {
    return fake.addFile({ name, mimetype: "image/png", content, user, ...(access === undefined ? {} : { access }) });
  }

  async function finalReply(ts: string, description: string): Promise<string> {
    await waitFor(() => botReplies(fake, channel, ts).length > 0, `a reply to ${description}`);
    await running.bot.idle();
    const replies = botReplies(fake, channel, ts);
    return replies.join("\n");
  }

  it("answers two images in one request, with a placeholder first, in the thread", async () => {
    const requestsBefore = model.requests.length;
    const message = mention("compare these layouts", [image("a.png", screenshot), image("b.png", await smallPng(1))]);
    const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
    assert.equal(delivery.status, 200);
    const reply = await finalReply(message.ts, "the two-image mention");
    assert.equal(model.requests.length, requestsBefore + 1, "one model request for both images");
    const body = model.requests.at(-1)?.body as FakeChatBody;
    assert.equal(countMedia(body).images, 2);
    assert.match(reply, /received 2 image\(s\)/);
    // Streaming is on by default: the placeholder is the first line of the streamed message.
    const placeholder = fake.callsOf("chat.startStream").find((call) => call.arguments.thread_ts === message.ts)
      ?.arguments.markdown_text;
    assert.match(String(placeholder), /Looking at 2 images/);
  });

  it("downloads the file while the placeholder is still on its way to Slack", async () => {
    const file = image("early.png", await smallPng(7));
    const message = mention("look early", [file]);
    // chat.startStream (streaming is on by default) answers 2 s late; the download does not wait for it.
    fake.failNext("chat.startStream", { delayMilliseconds: 2_000 });
    const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
    assert.equal(delivery.status, 200);
    await waitFor(() => fake.fileRequests.some((request) => request.fileId === file.id), "the download", 10_000);
    assert.deepEqual(botReplies(fake, channel, message.ts), [], "downloaded before the placeholder landed");
    assert.match(await finalReply(message.ts, "the mention with a slow placeholder"), /received 1 image\(s\)/);
  });

  it("answers an event delivered four times (three retries) exactly once", async () => {
    const requestsBefore = model.requests.length;
    const message = mention("what is this?", [image("retry.png", await smallPng(2))]);
    const event = running.driver.appMention(channel, message);
    const eventId = "Ev0RETRY0001";
    await running.driver.sendEvent(event, { eventId });
    for (const retryNum of [1, 2, 3]) {
      const delivery = await running.driver.sendEvent(event, { eventId, retryNum, retryReason: "http_timeout" });
      assert.equal(delivery.status, 200);
    }
    await finalReply(message.ts, "the retried mention");
    assert.equal(botReplies(fake, channel, message.ts).length, 1);
    assert.equal(model.requests.length, requestsBefore + 1);
  });

  it("answers a mention delivered as app_mention and as message once", async () => {
    const message = mention("and this?", [image("twice.png", await smallPng(3))]);
    await Promise.all([
      running.driver.sendEvent(running.driver.appMention(channel, message)),
      running.driver.sendEvent(running.driver.channelMessage(channel, message)),
    ]);
    await finalReply(message.ts, "the doubly delivered mention");
    assert.equal(botReplies(fake, channel, message.ts).length, 1);
  });

  it("acknowledges fast and answers a burst of 50 mentions exactly once each", async () => {
    const messages: ReturnType<FakeSlack["postUserMessage"]>[] = [];
    for (let index = 0; index < 50; index += 1) {
      messages.push(mention(`burst ${index}`, [image(`burst-${index}.png`, await smallPng(100 + index))]));
    }
    const deliveries = await Promise.all(
      messages.map((message) => running.driver.sendEvent(running.driver.appMention(channel, message))),
    );
    assert.ok(deliveries.every((delivery) => delivery.status === 200));
    const slowest = Math.max(...deliveries.map((delivery) => delivery.milliseconds));
    assert.ok(slowest < 3_000, `every ack within Slack's 3 s (slowest ${slowest} ms)`);
    await waitFor(
      () => messages.every((message) => botReplies(fake, channel, message.ts).length === 1),
      "50 answers",
      40_000,
    );
    await running.bot.idle();
    for (const message of messages) {
      const replies = botReplies(fake, channel, message.ts);
      assert.equal(replies.length, 1, `one reply to ${message.text}`);
      assert.match(replies[0] ?? "", /received 1 image/);
    }
  });

  it("ignores its own messages, other apps' messages and edits, so nothing loops", async () => {
    const postingMethods = [
      "chat.postMessage",
      "chat.startStream",
      "chat.appendStream",
      "chat.update",
      "chat.postEphemeral",
      "files.completeUploadExternal",
    ];
    const postings = () => postingMethods.reduce((total, method) => total + fake.callsOf(method).length, 0);
    const requestsBefore = model.requests.length;
    const postingsBefore = postings();
    const own = fake.postUserMessage(channel, { user: fake.botUserId, text: `<@${fake.botUserId}> echo` });
    await running.driver.sendEvent(running.driver.botMessage(channel, { ...own, bot_id: fake.botId }));
    // As Slack sends an edit: the new message carries `edited`, and the event's own ts is the edit's.
    const original = mention("typo", [image("edit.png", await smallPng(4))]);
    const edited = { ...original, text: `${original.text} fixed`, edited: { user, ts: `${Number(original.ts) + 5}` } };
    await running.driver.sendEvent(running.driver.messageChanged(channel, edited, original));
    // Its own user even without a bot_id, as a mention and as a message with an upload.
    const ownUpload = fake.postUserMessage(channel, {
      user: fake.botUserId,
      text: `<@${fake.botUserId}> look`,
      files: [image("own.png", await smallPng(8))],
    });
    await running.driver.sendEvent(running.driver.appMention(channel, ownUpload));
    await running.driver.sendEvent(running.driver.channelMessage(channel, ownUpload));
    // Another app mentioning it: two bots must not answer each other forever.
    const otherApp = { user: "U0OTHERAPP", bot_id: "B0OTHERAPP" };
    const otherText = {
      ...fake.postUserMessage(channel, { user: otherApp.user, text: `<@${fake.botUserId}> hi` }),
      ...otherApp,
    };
    const otherUpload = {
      ...fake.postUserMessage(channel, {
        user: otherApp.user,
        text: `<@${fake.botUserId}> and this`,
        files: [image("other.png", await smallPng(9))],
      }),
      ...otherApp,
    };
    for (const message of [otherText, otherUpload]) {
      await running.driver.sendEvent(running.driver.appMention(channel, message));
      await running.driver.sendEvent(running.driver.channelMessage(channel, message));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await running.bot.idle();
    assert.equal(postings(), postingsBefore, "nothing posted, streamed, edited or uploaded");
    assert.equal(model.requests.length, requestsBefore, "the model was not asked");
  });

  it("ends a stream cut mid-answer with the text so far and a clear reason", async () => {
    model.script(fakeSteps.cutStream("The header is misaligned and the button overlaps the footer text.", 3));
    const message = mention("what's wrong?", [image("cut.png", await smallPng(5))]);
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    const reply = await finalReply(message.ts, "the cut stream");
    assert.match(reply, /The header is misal/, "the text that arrived is kept");
    assert.match(reply, /lost the connection to the model service/);
    assert.match(reply, /incomplete/);
  });

  it("continues a long streamed answer in follow-up messages, nothing cut off", async () => {
    // About 24,000 characters: more than two streamed messages of Slack's 12,000.
    const paragraphs = Array.from({ length: 80 }, (_, index) => `Paragraph ${index}: ${"detail ".repeat(40)}`);
    const answer = `${paragraphs.join("\n\n")}\n\nTHE END`;
    model.script(fakeSteps.answer(answer));
    const message = mention("explain in depth", [image("long.png", await smallPng(6))]);
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    await finalReply(message.ts, "the long answer");
    const replies = botReplies(fake, channel, message.ts);
    assert.ok(replies.length >= 3, `${answer.length} characters need several messages (got ${replies.length})`);
    assert.ok(replies.every((text) => text.length <= 12_000));
    const joined = replies.join("\n");
    assert.match(joined, /THE END$/);
    for (let index = 0; index < 80; index += 1) {
      assert.equal(joined.split(`Paragraph ${index}:`).length - 1, 1, `paragraph ${index} exactly once`);
    }
  });

  it("neutralizes mass mentions and converts Markdown", async () => {
    model.script(
      fakeSteps.answer("**Heads up** <!channel> and <!here|here>, ping <!subteam^S0DESIGN|@designers> and @everyone"),
    );
    const message = mention("summarize", [image("mass.png", await smallPng(7))]);
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    const reply = await finalReply(message.ts, "the mass-mention answer");
    // Slack only acts on unescaped <!...> commands and on a literal @channel/@here/@everyone.
    assert.doesNotMatch(reply, /<!/);
    assert.doesNotMatch(reply, /@(channel|here|everyone)\b/);
    assert.match(reply, /\*Heads up\*/);
  });

  it("never shows a secret in replies or logs", async () => {
    model.script(fakeSteps.answer(`Your keys: ${fake.botToken} and ${model.apiKey}`));
    const message = mention("what are the keys?", [image("secret.png", await smallPng(8))]);
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    const reply = await finalReply(message.ts, "the secret-bearing answer");
    assert.match(reply, /\[secret\]/);
    const everything = `${fake
      .messages(channel)
      .map((item) => item.text)
      .join("\n")}\n${running.logs.join("\n")}`;
    assert.ok(!everything.includes(fake.botToken));
    assert.ok(!everything.includes(model.apiKey));
  });

  it("posts once when chat.postMessage is rate-limited, then answers", async () => {
    // No file: the reply is a plain chat.postMessage (streamed answers start with chat.startStream).
    const message = mention("again");
    fake.failNext("chat.postMessage", {
      status: 429,
      headers: { "retry-after": "1" },
      body: { ok: false, error: "ratelimited" },
    });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    const reply = await finalReply(message.ts, "the rate-limited post");
    const posts = fake.callsOf("chat.postMessage").filter((call) => call.arguments.thread_ts === message.ts);
    assert.equal(posts.length, 2, "the rate-limited call, then one more after Retry-After (nothing left scripted)");
    assert.ok((posts[1]?.receivedAt ?? 0) - (posts[0]?.receivedAt ?? 0) >= 900, "waited for Retry-After");
    assert.equal(botReplies(fake, channel, message.ts).length, 1);
    assert.match(reply, /don't see an image/);
  });

  describe("bad input gets a clear reply in the thread", () => {
    const cases: Array<{
      name: string;
      setup: () => Promise<ReturnType<FakeSlack["addFile"]>[]>;
      step?: () => void;
      expected: RegExp;
    }> = [
      {
        name: "a file Slack answers with an HTML page",
        setup: async () => [image("html.png", await smallPng(10), "html")],
        expected: /files:read/,
      },
      {
        name: "a file of another workspace",
        setup: async () => [image("other.png", await smallPng(11), "other-workspace")],
        expected: /another workspace/,
      },
      {
        name: "an unsupported type",
        setup: async () => [
          fake.addFile({ name: "report.pdf", mimetype: "application/pdf", content: Buffer.from("%PDF-1.4"), user }),
        ],
        expected: /can't read report\.pdf.*images \(PNG/,
      },
      { name: "no image anywhere", setup: async () => [], expected: /don't see an image or video/ },
      {
        name: "an image too small",
        setup: async () => [image("tiny.png", await readFile(await tiny8Png()))],
        expected: /tiny\.png: .* must be .*10/,
      },
      {
        name: "a model rate limit",
        setup: async () => [image("rl.png", await smallPng(12))],
        step: () => model.script(fakeSteps.rateLimited("7")),
        expected: /try again in 7 s/i,
      },
      {
        name: "the model down",
        setup: async () => [image("down.png", await smallPng(13))],
        step: () => model.script(fakeSteps.serverError(503)),
        expected: /having trouble \(HTTP 503\)/,
      },
      {
        name: "a content-inspection refusal",
        setup: async () => [image("flag.png", await smallPng(14))],
        step: () => model.script(fakeSteps.contentInspection()),
        expected: /content inspection refused/,
      },
    ];
    for (const testCase of cases) {
      it(`replies clearly to ${testCase.name}`, async () => {
        const files = await testCase.setup();
        testCase.step?.();
        const message = mention("what is this?", files);
        await running.driver.sendEvent(running.driver.appMention(channel, message));
        const reply = await finalReply(message.ts, testCase.name);
        assert.match(reply, testCase.expected);
        assert.equal(botReplies(fake, channel, message.ts).length, 1);
      });
    }

    it("follows a redirect to the CDN without sending it the token", async () => {
      const file = image("cdn.png", await smallPng(15), "redirect");
      const message = mention("via cdn", [file]);
      await running.driver.sendEvent(running.driver.appMention(channel, message));
      const reply = await finalReply(message.ts, "the redirected file");
      assert.match(reply, /received 1 image/);
      const requests = fake.fileRequests.filter((request) => request.fileId === file.id);
      assert.ok(
        requests.some((request) => request.host === "files" && request.authorization === `Bearer ${fake.botToken}`),
      );
      const cdn = requests.filter((request) => request.host === "cdn");
      assert.ok(cdn.length > 0, "the CDN was reached");
      assert.ok(
        cdn.every((request) => request.authorization === undefined),
        "no token sent to the CDN",
      );
    });
  });
});
