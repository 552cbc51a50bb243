/*
 * The bad-input corpus through the Slack bot, in process against the fake Slack and Model Studio:
 * each file is attached to a mention. The bot answers in one readable reply (a refused file: one line
 * naming the file and the reason; a handled file: the model's answer), and while it works on the
 * hostile file it keeps acknowledging other events: a second mention sent meanwhile is acked well within
 * Slack's 3 s deadline (https://docs.slack.dev/apis/events-api/#responding, "respond ... within 3 seconds").
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { type FakeModelStudio, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { screenshotPng } from "../support/media-factory.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";
import { corpus } from "./corpus.js";

const channel = "C0CORPUS";
const user = "U0CORPUS";
/** Well under Slack's 3 s, with room for a loaded CI machine; a blocked event loop takes seconds longer. */
const promptAckMilliseconds = 1_500;

const mimetypes: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  bmp: "image/bmp",
  mp4: "video/mp4",
};

/** The images and videos the fake model received from request `from` on, as bytes (data URLs decoded). */
function bytesSent(model: FakeModelStudio, from: number): Buffer {
  const found: Buffer[] = [];
  for (const request of model.requests.slice(from)) {
    for (const match of JSON.stringify(request.body).matchAll(/data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)/g)) {
      found.push(Buffer.from(match[1] ?? "", "base64"));
    }
  }
  return Buffer.concat(found);
}

describe("the bad-input corpus through the bot", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "corpus" });
    fake.addUser({ id: user, name: "corpus" });
    running = await startBot(fake, model);
    // A first answer loads what every answer needs (sharp, the model client), once, before any timing.
    const warmUp = fake.addFile({
      name: "warm-up.png",
      mimetype: "image/png",
      content: await readFile(await screenshotPng()),
      user,
    });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> warm up`, files: [warmUp] });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    await waitFor(() => botReplies(fake, channel, message.ts).join("\n").includes("\n"), "the warm-up answer");
    await running.bot.idle();
  });
  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  for (const entry of corpus) {
    const outcome = entry.bot ?? entry.ask;
    const expectation = outcome.kind === "handled" ? "handled" : `${outcome.kind} (${outcome.code})`;
    const pending = entry.pending?.bot;
    it(
      `${entry.name} (${entry.made}): ${expectation}, one reply, other events acked meanwhile`,
      pending === undefined ? {} : { todo: pending },
      async (context) => {
        const content = await readFile(await entry.make());
        const extension = entry.name.slice(entry.name.lastIndexOf(".") + 1);
        const file = fake.addFile({
          name: entry.name,
          mimetype: mimetypes[extension] ?? "application/octet-stream",
          content,
          user,
        });
        const requestsBefore = model.requests.length;
        const hostile = fake.postUserMessage(channel, {
          user,
          text: `<@${fake.botUserId}> what is in this file?`,
          files: [file],
        });
        const started = performance.now();
        await running.driver.sendEvent(running.driver.appMention(channel, hostile));
        // While the bot works on the file, other events keep arriving: a channel message every 200 ms (which
        // the bot acks and ignores, so the probes add no work). The bot runs in this process, so a blocked
        // event loop would delay the sending too: each ack is timed from when its event was due, as Slack's
        // clock would time it, not from when this process got round to sending it.
        const body = () =>
          botReplies(fake, channel, hostile.ts)
            .join("\n")
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.startsWith(":eyes:"));
        const acks: number[] = [];
        const deadline = started + entry.bounds.wallSeconds * 1000;
        let due = performance.now();
        do {
          const chatter = fake.postUserMessage(channel, { user, text: `meanwhile, message ${acks.length + 1}` });
          const delivery = await running.driver.sendEvent(running.driver.channelMessage(channel, chatter));
          assert.equal(delivery.status, 200);
          const ackedAt = performance.now();
          acks.push(ackedAt - due);
          due = ackedAt + 200;
          await new Promise((resolve) => setTimeout(resolve, 200));
        } while (body().length === 0 && performance.now() < deadline);
        const slowest = Math.max(...acks);
        context.diagnostic(
          `${entry.name}: ${acks.length} other event(s) meanwhile, the slowest acked in ${slowest.toFixed(0)} ms`,
        );
        assert.ok(acks.length > 0, "at least one other event arrived meanwhile");
        assert.ok(
          slowest < promptAckMilliseconds,
          `an event sent meanwhile was acked in ${slowest.toFixed(0)} ms, not within ${promptAckMilliseconds} ms`,
        );

        // The reply is one message: the placeholder line (":eyes: Looking at…"), then the answer or the refusal.
        await waitFor(() => body().length > 0, `the reply about ${entry.name}`, entry.bounds.wallSeconds * 1000);
        await running.bot.idle();
        context.diagnostic(`${entry.name}: replied in ${((performance.now() - started) / 1000).toFixed(2)} s`);
        const replies = botReplies(fake, channel, hostile.ts);
        assert.equal(replies.length, 1, `one reply: ${JSON.stringify(replies)}`);
        const reply = replies[0] ?? "";
        assert.doesNotMatch(reply, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
        const refused =
          outcome.kind === "refused" || (outcome.kind === "refused-or-handled" && /^:warning:/m.test(reply));
        if (outcome.kind !== "handled" && refused) {
          assert.deepEqual(body().length, 1, `one line besides the placeholder: ${reply}`);
          assert.match((body()[0] ?? "").replace(/^:warning: /, ""), outcome.says, reply);
          assert.equal(model.requests.length - requestsBefore, 0, "nothing reached the model");
        } else {
          assert.doesNotMatch(reply, /^:(warning|no_entry|hourglass):/m, reply);
          const sent = bytesSent(model, requestsBefore).toString("latin1");
          assert.ok(sent.length > 0, "the file reached the model");
          for (const text of entry.notSent ?? []) {
            assert.ok(!sent.includes(text), `${JSON.stringify(text)} was sent to the model with the image`);
          }
        }
      },
    );
  }
});
