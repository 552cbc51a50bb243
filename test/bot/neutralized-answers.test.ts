/*
 * Model output reaches Slack neutralized in both ways an answer is shown: streamed (chat.startStream and
 * chat.appendStream with Markdown) and updated (a placeholder rewritten with chat.update in mrkdwn).
 * Checked on every call the bot made, not only on the final text: a streamed piece cannot be taken back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0NEUTRAL";
const user = "U0NEUTRAL";

/** What a model tricked by an image's text might write. */
const hostileAnswer = [
  "Summary for <@U0VICTIM> and <@U0OTHER|boss>: ask <!subteam^S0ADMINS|@admins> in <#C0GENERAL|general>.",
  "<!here> <!channel> @everyone please re-authenticate:",
  "[https://slack.com/signin](https://evil.example/phish) or <https://evil.example/x|https://slack.com/login>.",
  "The [release notes](https://example.com/notes) say more.",
].join("\n\n");

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 10, b: 10 } } })
    .png()
    .toBuffer();
}

/** Every text the bot sent to Slack, in any of the calls that write a message. */
function everythingSent(fake: FakeSlack): string[] {
  return ["chat.postMessage", "chat.update", "chat.startStream", "chat.appendStream"].flatMap((method) =>
    fake
      .callsOf(method)
      .map((call) => String(call.arguments.text ?? call.arguments.markdown_text ?? ""))
      .filter((text) => text !== ""),
  );
}

function assertNeutralized(texts: readonly string[]): void {
  for (const text of texts) {
    assert.doesNotMatch(text, /<[@#!]/, `no mention or command: ${text}`);
    assert.doesNotMatch(text, /<[^<>\s|]+\|[^<>]*>/, `no link with other words in place of its destination: ${text}`);
    assert.doesNotMatch(text, /\]\(https:\/\/evil/, `no Markdown link hiding its destination: ${text}`);
    assert.doesNotMatch(text, /@(everyone|here|channel)\b/, `no mass mention: ${text}`);
  }
}

for (const streaming of [true, false]) {
  describe(`model output is neutralized in ${streaming ? "streamed" : "updated"} answers`, () => {
    let fake: FakeSlack;
    let model: FakeModelStudio;
    let running: RunningBot;

    before(async () => {
      [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
      fake.addChannel({ id: channel, name: "neutral" });
      running = await startBot(fake, model, { dependencies: { streaming } });
    });

    after(async () => {
      await running.stop();
      await Promise.all([fake.close(), model.close()]);
    });

    it("pings nobody and shows every link's real destination", async () => {
      const file = fake.addFile({ name: "n.png", mimetype: "image/png", content: await smallPng(1), user });
      const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> summarize`, files: [file] });
      // The fake streams it in deltas of a few characters, so mentions and links arrive split.
      model.script(fakeSteps.answer(hostileAnswer));
      await running.driver.sendEvent(running.driver.appMention(channel, message));
      await waitFor(() => /say more/.test(botReplies(fake, channel, message.ts).join("")), "the final answer");
      await running.bot.idle();

      const methods = fake.calls.map((call) => call.method);
      assert.equal(methods.includes("chat.startStream"), streaming, `streamed: ${streaming}`);
      assert.ok(
        running.logs.every((line) => !/continuing with chat\.update/.test(line)),
        "streaming never had to take text back",
      );
      assertNeutralized(everythingSent(fake));

      const reply = botReplies(fake, channel, message.ts).join("\n");
      assertNeutralized([reply]);
      const joiner = "\u2060";
      for (const shown of [`@${joiner}U0VICTIM`, `@${joiner}boss`, `@${joiner}admins`, `#${joiner}general`]) {
        assert.ok(reply.includes(shown), `shows ${JSON.stringify(shown)}`);
      }
      assert.ok(reply.includes("<https://evil.example/phish>"), "the phishing link shows where it goes");
      assert.ok(reply.includes("<https://evil.example/x>"));
      assert.ok(!reply.includes("slack.com/signin") && !reply.includes("slack.com/login"), "no disguise left");
      assert.ok(reply.includes("release notes (<https://example.com/notes>)"));
    });
  });
}
