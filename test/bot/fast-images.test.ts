import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { BotConfigError, loadConfig } from "../../bot/src/config.js";
import { type BotState, createMemoryState } from "../../bot/src/state/bot-state.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { screenshotPng } from "../support/media-factory.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0FAST";
const user = "U0FAST";

/** The bytes of every image data URL the model received, request by request. */
function imagesSent(model: FakeModelStudio): Buffer[][] {
  return model.requests.map((request) => {
    const body = request.body as { messages?: Array<{ content?: unknown }> } | undefined;
    const images: Buffer[] = [];
    for (const message of body?.messages ?? []) {
      if (!Array.isArray(message.content)) continue;
      for (const part of message.content as Array<{ type?: unknown; image_url?: { url?: unknown } }>) {
        const url = part.image_url?.url;
        if (part.type === "image_url" && typeof url === "string") {
          images.push(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
        }
      }
    }
    return images;
  });
}

/** The in-process state with every call taking `delayMilliseconds`, as a remote backend under load would. */
function slowState(delayMilliseconds: number): BotState {
  const inner = createMemoryState();
  const later = async <Result>(work: () => Promise<Result>): Promise<Result> => {
    await new Promise((resolve) => setTimeout(resolve, delayMilliseconds));
    return work();
  };
  return {
    claims: {
      claim: (id, lifetimeMilliseconds) => later(() => inner.claims.claim(id, lifetimeMilliseconds)),
    },
    budgets: {
      used: (id) => later(() => inner.budgets.used(id)),
      reserve: (counters, tokens) => later(() => inner.budgets.reserve(counters, tokens)),
      settle: (counters, reserved, actual) => later(() => inner.budgets.settle(counters, reserved, actual)),
      refund: (counters, reserved) => later(() => inner.budgets.refund(counters, reserved)),
    },
    media: {
      get: (key) => later(() => inner.media.get(key)),
      set: (key, media, lifetime) => later(() => inner.media.set(key, media, lifetime)),
    },
    threads: {
      get: (thread) => later(() => inner.threads.get(thread)),
      set: (thread, messages, lifetime) => later(() => inner.threads.set(thread, messages, lifetime)),
    },
    updates: {
      tryTake: (channel) => later(() => inner.updates.tryTake(channel)),
      take: (channel) => later(() => inner.updates.take(channel)),
    },
    close: () => inner.close(),
  };
}

describe("GLANCE_FAST_IMAGES: configuration", () => {
  const base = { SLACK_BOT_TOKEN: "xoxb-1", DASHSCOPE_API_KEY: "sk-1", SLACK_APP_TOKEN: "xapp-1" };

  it("is on by default, off with off or false, and a bad value is named", () => {
    assert.equal(loadConfig(base).fastImages, true);
    assert.equal(loadConfig({ ...base, GLANCE_FAST_IMAGES: "off" }).fastImages, false);
    assert.equal(loadConfig({ ...base, GLANCE_FAST_IMAGES: "false" }).fastImages, false);
    assert.equal(loadConfig({ ...base, GLANCE_FAST_IMAGES: "on" }).fastImages, true);
    assert.throws(
      () => loadConfig({ ...base, GLANCE_FAST_IMAGES: "sometimes" }),
      (error: unknown) =>
        error instanceof BotConfigError && /GLANCE_FAST_IMAGES must be "on" or "off"/.test(error.message),
    );
  });
});

describe("fast images, one preparation per file, and acks that wait for nothing", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let screenshot: Buffer;

  before(async () => {
    [fake, model, screenshot] = await Promise.all([
      startFakeSlack(),
      startFakeModelStudio(),
      screenshotPng().then((path) => readFile(path)),
    ]);
    fake.addChannel({ id: channel, name: "fast" });
    fake.addUser({ id: user, name: "fast" });
  });

  after(async () => {
    await Promise.all([fake.close(), model.close()]);
  });

  async function askAbout(running: RunningBot, content: Buffer, text: string): Promise<string> {
    const file = fake.addFile({ name: "screen.png", mimetype: "image/png", content, user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    await waitFor(() => /answer/i.test(botReplies(fake, channel, message.ts).join("")), "the answer");
    await running.bot.idle();
    return message.ts;
  }

  it("by default, a clean PNG screenshot reaches the model byte for byte; with off, it is re-encoded", async () => {
    const fast = await startBot(fake, model);
    try {
      model.script(fakeSteps.slow(10, "fast answer"));
      const before = model.requests.length;
      await askAbout(fast, screenshot, "what is this?");
      const sent = imagesSent(model).slice(before).flat();
      assert.equal(sent.length, 1);
      assert.ok(sent[0]?.equals(screenshot), "the original PNG bytes were sent");
    } finally {
      await fast.stop();
    }
    const slow = await startBot(fake, model, { environment: { GLANCE_FAST_IMAGES: "off" } });
    try {
      model.script(fakeSteps.slow(10, "re-encoded answer"));
      const before = model.requests.length;
      await askAbout(slow, screenshot, "and now?");
      const sent = imagesSent(model).slice(before).flat();
      assert.equal(sent.length, 1);
      const image = sent[0] ?? Buffer.alloc(0);
      assert.ok(!image.equals(screenshot), "the image was re-encoded");
      const { width, height } = await sharp(image).metadata();
      // 1280x800 is scaled by the model to multiples of 32: the re-encoded image has that size.
      assert.equal((width ?? 0) % 32, 0);
      assert.equal((height ?? 0) % 32, 0);
    } finally {
      await slow.stop();
    }
  });

  it("two answers needing the same file at once download it once", async () => {
    const running = await startBot(fake, model, { environment: { GLANCE_FAST_IMAGES: "off" } });
    try {
      const file = fake.addFile({ name: "shared.png", mimetype: "image/png", content: screenshot, user });
      model.script(fakeSteps.slow(50, "first answer"));
      model.script(fakeSteps.slow(50, "second answer"));
      const first = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> one`, files: [file] });
      const second = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> two`, files: [file] });
      await Promise.all([
        running.driver.sendEvent(running.driver.appMention(channel, first)),
        running.driver.sendEvent(running.driver.appMention(channel, second)),
      ]);
      await waitFor(
        () =>
          /answer/.test(botReplies(fake, channel, first.ts).join("")) &&
          /answer/.test(botReplies(fake, channel, second.ts).join("")),
        "both answers",
      );
      await running.bot.idle();
      assert.equal(fake.fileRequests.filter((request) => request.fileId === file.id).length, 1);
    } finally {
      await running.stop();
    }
  });

  it("the ack does not wait for slow state: the answer comes after it", async () => {
    const running = await startBot(fake, model, { dependencies: { state: slowState(1_500) } });
    try {
      model.script(fakeSteps.slow(10, "patient answer"));
      const file = fake.addFile({ name: "later.png", mimetype: "image/png", content: screenshot, user });
      const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> hi`, files: [file] });
      const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
      assert.equal(delivery.status, 200);
      // The dedup claim alone takes 1.5 s per state call; the ack came before any of it.
      assert.ok(delivery.milliseconds < 1_000, `acked in ${delivery.milliseconds} ms`);
      assert.equal(botReplies(fake, channel, message.ts).length, 0);
      await waitFor(() => /patient answer/.test(botReplies(fake, channel, message.ts).join("")), "the answer", 30_000);
    } finally {
      await running.stop();
    }
  });
});
