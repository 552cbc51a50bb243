/*
 * Proves the fake Slack against the real clients: @slack/web-api's WebClient for the Web API,
 * files.uploadV2 and chatStream, and a real Bolt HTTP receiver for the driver's signatures.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { App, LogLevel } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { type FakeSlack, shownText, startFakeSlack } from "../fakes/slack.js";
import { createSlackDriver } from "../fakes/slack-driver.js";

const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function clientFor(fake: FakeSlack, options: { token?: string; timeout?: number; retries?: number } = {}): WebClient {
  return new WebClient(options.token ?? fake.botToken, {
    slackApiUrl: fake.apiUrl,
    logger: quietLogger,
    timeout: options.timeout ?? 0,
    retryConfig: { retries: options.retries ?? 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
  });
}

/** The Slack error code a rejected WebClient call carries. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (typeof error === "object" && error !== null && "data" in error) {
      const data = error.data as { error?: unknown };
      return String(data.error);
    }
    throw error;
  }
  throw new Error("the call succeeded but an error was expected");
}

describe("fake Slack Web API through the real WebClient", () => {
  let fake: FakeSlack;
  let client: WebClient;

  before(async () => {
    fake = await startFakeSlack();
    fake.addChannel({ id: "C1", name: "general" });
    fake.addChannel({ id: "C2", name: "elsewhere", botIsMember: false });
    fake.addUser({ id: "U1", name: "ada" });
    client = clientFor(fake);
  });
  after(() => fake.close());

  test("auth.test names the bot; a wrong token is invalid_auth", async () => {
    const identity = await client.auth.test();
    assert.equal(identity.user_id, fake.botUserId);
    assert.equal(identity.bot_id, fake.botId);
    assert.equal(await slackError(clientFor(fake, { token: "xoxb-wrong" }).auth.test()), "invalid_auth");
  });

  test("chat.postMessage and chat.update change the live message list; over 4,000 characters is msg_too_long", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "look at this" });
    const posted = await client.chat.postMessage({
      channel: "C1",
      thread_ts: parent.ts,
      text: "Looking at 1 image...",
    });
    assert.ok(posted.ts);
    const reply = fake.messages("C1").find((message) => message.ts === posted.ts);
    assert.equal(reply?.thread_ts, parent.ts);
    assert.equal(reply?.bot_id, fake.botId);

    await client.chat.update({ channel: "C1", ts: posted.ts, text: "The button is misaligned." });
    assert.equal(reply?.text, "The button is misaligned.");
    assert.ok(reply?.edited);

    assert.equal(
      await slackError(client.chat.update({ channel: "C1", ts: posted.ts, text: "x".repeat(4_001) })),
      "msg_too_long",
    );
    await client.chat.update({ channel: "C1", ts: posted.ts, text: "y".repeat(4_000) });
    assert.equal(reply?.text.length, 4_000);
    assert.equal(
      await slackError(client.chat.update({ channel: "C1", ts: parent.ts, text: "hijack" })),
      "cant_update_message",
    );
  });

  test("chat.postEphemeral is recorded apart from the channel's messages", async () => {
    const before = fake.messages("C1").length;
    const answer = await client.chat.postEphemeral({ channel: "C1", user: "U1", text: "only you see this" });
    assert.ok(answer.message_ts);
    assert.equal(fake.messages("C1").length, before);
    assert.deepEqual(
      fake.ephemerals.map((ephemeral) => [ephemeral.user, ephemeral.text]),
      [["U1", "only you see this"]],
    );
  });

  test("conversations.replies pages with cursors; a channel without the bot is not_in_channel", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "thread start" });
    for (let index = 1; index <= 4; index += 1) {
      fake.postUserMessage("C1", { user: "U1", text: `reply ${index}`, thread_ts: parent.ts });
    }
    const texts: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.conversations.replies({
        channel: "C1",
        ts: parent.ts,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages += 1;
      texts.push(...(page.messages ?? []).map((message) => String(message.text)));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual(texts, ["thread start", "reply 1", "reply 2", "reply 3", "reply 4"]);

    const history = await client.conversations.history({ channel: "C1", limit: 50 });
    const top = history.messages?.find((message) => message.ts === parent.ts);
    assert.equal(top?.reply_count, 4);
    assert.ok(
      !history.messages?.some((message) => message.text === "reply 1"),
      "history holds top-level messages only",
    );

    fake.postUserMessage("C2", { user: "U1", text: "hidden" });
    assert.equal(await slackError(client.conversations.replies({ channel: "C2", ts: parent.ts })), "not_in_channel");
    assert.equal(await slackError(client.conversations.history({ channel: "C2" })), "not_in_channel");
  });

  test("files.info describes a file; its URL needs the bot token", async () => {
    const content = Buffer.from("not really a png but bytes all the same");
    const file = fake.addFile({ name: "screen.png", mimetype: "image/png", content, user: "U1" });
    const info = await client.files.info({ file: file.id });
    assert.equal(info.file?.url_private, file.url_private);
    assert.equal(info.file?.filetype, "png");
    assert.equal(await slackError(client.files.info({ file: "FMISSING" })), "file_not_found");

    const withToken = await fetch(file.url_private, { headers: { authorization: `Bearer ${fake.botToken}` } });
    assert.equal(withToken.status, 200);
    assert.deepEqual(Buffer.from(await withToken.arrayBuffer()), content);

    const withoutToken = await fetch(file.url_private_download);
    assert.equal(withoutToken.status, 200, "Slack answers a sign-in page, not an error status");
    assert.match(withoutToken.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await withoutToken.text(), /<html/);
  });

  test("file access switches: html, redirect to the second origin, other workspace", async () => {
    const content = Buffer.from([1, 2, 3, 4, 5]);
    const authorization = { authorization: `Bearer ${fake.botToken}` };

    const hidden = fake.addFile({ name: "a.png", mimetype: "image/png", content, user: "U1", access: "html" });
    const hiddenAnswer = await fetch(hidden.url_private, { headers: authorization });
    assert.equal(hiddenAnswer.status, 200);
    assert.match(hiddenAnswer.headers.get("content-type") ?? "", /text\/html/);
    await hiddenAnswer.arrayBuffer();

    const moved = fake.addFile({ name: "b.png", mimetype: "image/png", content, user: "U1", access: "redirect" });
    const redirect = await fetch(moved.url_private, { headers: authorization, redirect: "manual" });
    assert.equal(redirect.status, 302);
    const location = redirect.headers.get("location") ?? "";
    assert.ok(location.startsWith(fake.cdnUrl), `redirects to the CDN origin, got ${location}`);
    assert.notEqual(new URL(fake.cdnUrl).origin, new URL(fake.fileHostUrl).origin);
    const landed = await fetch(location);
    assert.deepEqual(Buffer.from(await landed.arrayBuffer()), content);
    // A careless client that forwards the token is visible in the record.
    await (await fetch(location, { headers: authorization })).arrayBuffer();
    const cdnSeen = fake.fileRequests.filter((request) => request.host === "cdn" && request.fileId === moved.id);
    assert.deepEqual(
      cdnSeen.map((request) => request.authorization),
      [undefined, `Bearer ${fake.botToken}`],
    );

    const foreign = fake.addFile({
      name: "c.png",
      mimetype: "image/png",
      content,
      user: "U9",
      access: "other-workspace",
    });
    const foreignAnswer = await fetch(foreign.url_private, { headers: authorization });
    assert.equal(foreignAnswer.status, 403);
    await foreignAnswer.arrayBuffer();
  });

  test("files.uploadV2 lands the bytes in uploads and a file message in the thread", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "where is the login button?" });
    const bytes = Buffer.from(Array.from({ length: 3_000 }, (_, index) => index % 251));
    await client.filesUploadV2({
      channel_id: "C1",
      thread_ts: parent.ts,
      file: bytes,
      filename: "boxes.png",
      title: "Located",
      initial_comment: "Here it is",
    });
    const upload = fake.uploads.find((candidate) => candidate.filename === "boxes.png");
    assert.ok(upload);
    assert.deepEqual(upload.content, bytes);
    assert.equal(upload.channel, "C1");
    assert.equal(upload.threadTs, parent.ts);
    assert.equal(upload.title, "Located");
    assert.equal(upload.initialComment, "Here it is");
    const shared = fake.messages("C1").find((message) => message.files?.some((file) => file.id === upload.id));
    assert.equal(shared?.thread_ts, parent.ts);
    assert.equal((await client.files.info({ file: upload.id })).file?.size, bytes.length);
  });

  test("chatStream starts, appends and stops one message; an expired stream refuses appends", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "describe" });
    const streamer = client.chatStream({
      channel: "C1",
      thread_ts: parent.ts,
      recipient_team_id: fake.teamId,
      recipient_user_id: "U1",
      buffer_size: 1,
    });
    await streamer.append({ markdown_text: "The image shows " });
    await streamer.append({ markdown_text: "a login form" });
    await streamer.stop({ markdown_text: "." });
    const streamed = fake.messages("C1").find((message) => message.ts === streamer.ts);
    assert.equal(streamed?.text, "The image shows a login form.");
    assert.equal(streamed?.thread_ts, parent.ts);
    assert.deepEqual(
      fake.calls.filter((call) => call.method.endsWith("Stream")).map((call) => call.method),
      ["chat.startStream", "chat.appendStream", "chat.stopStream"],
    );
    assert.equal(
      await slackError(client.chat.appendStream({ channel: "C1", ts: String(streamer.ts), markdown_text: "late" })),
      "message_not_in_streaming_state",
    );

    const second = client.chatStream({
      channel: "C1",
      thread_ts: parent.ts,
      recipient_team_id: fake.teamId,
      recipient_user_id: "U1",
      buffer_size: 1,
    });
    await second.append({ markdown_text: "Half an answer" });
    fake.expireStream("C1", second.ts);
    assert.equal(await slackError(second.append({ markdown_text: " and the rest" })), "message_not_in_streaming_state");
    assert.equal(fake.messages("C1").find((message) => message.ts === second.ts)?.text, "Half an answer");
  });

  test("a stream in a channel needs its recipient's user and team, as chat.startStream documents", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "describe" });
    const start = (recipient: { recipient_user_id?: string; recipient_team_id?: string }) =>
      client.chat.startStream({ channel: "C1", thread_ts: parent.ts, markdown_text: "Hi", ...recipient });
    assert.equal(await slackError(start({})), "missing_recipient_user_id");
    assert.equal(await slackError(start({ recipient_user_id: "U1" })), "missing_recipient_team_id");
    assert.ok((await start({ recipient_user_id: "U1", recipient_team_id: fake.teamId })).ts);
  });

  test("a message that still streams refuses chat.update; once stopped, an edit without blocks keeps the streamed text", async () => {
    const parent = fake.postUserMessage("C1", { user: "U1", text: "describe" });
    const started = await client.chat.startStream({
      channel: "C1",
      thread_ts: parent.ts,
      markdown_text: "Streamed part",
      recipient_user_id: "U1",
      recipient_team_id: fake.teamId,
    });
    const ts = String(started.ts);
    assert.equal(
      await slackError(client.chat.update({ channel: "C1", ts, text: "edited" })),
      "streaming_state_conflict",
    );
    await client.chat.stopStream({ channel: "C1", ts });
    const message = () => {
      const found = fake.messages("C1").find((item) => item.ts === ts);
      assert.ok(found !== undefined);
      return found;
    };
    await client.chat.update({ channel: "C1", ts, text: "edited" });
    assert.equal(shownText(message()), "Streamed part", "blocks not given are kept, so the streamed text shows");
    await client.chat.update({ channel: "C1", ts, text: "edited", blocks: [] });
    assert.equal(shownText(message()), "edited");
    await client.chat.update({ channel: "C1", ts, markdown_text: "**markdown**" });
    assert.equal(shownText(message()), "**markdown**");
  });

  test("rate limits are per method and workspace: 429 with Retry-After, and other methods go on", async () => {
    const limited = await startFakeSlack();
    try {
      limited.addChannel({ id: "C1", name: "general" });
      limited.addChannel({ id: "C2", name: "random" });
      limited.rateLimit("chat.update", { perMinute: 6, burst: 2 });
      const strict = new WebClient(limited.botToken, {
        slackApiUrl: limited.apiUrl,
        logger: quietLogger,
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
      });
      const first = await strict.chat.postMessage({ channel: "C1", text: "one" });
      const second = await strict.chat.postMessage({ channel: "C2", text: "two" });
      await strict.chat.update({ channel: "C1", ts: String(first.ts), text: "one, edited" });
      // Another channel of the same workspace shares the budget.
      await strict.chat.update({ channel: "C2", ts: String(second.ts), text: "two, edited" });
      const refused = await strict.chat
        .update({ channel: "C2", ts: String(second.ts), text: "two, again" })
        .then(() => undefined)
        .catch((error: unknown) => error as { code?: string; retryAfter?: number });
      assert.equal(refused?.code, "slack_webapi_rate_limited_error");
      assert.equal(refused?.retryAfter, 10, "one call every 10 s at 6 a minute");
      assert.equal(limited.messages("C2")[0]?.text, "two, edited", "a refused call does nothing");
      assert.deepEqual(
        limited.callsOf("chat.update").map((call) => call.rateLimited === true),
        [false, false, true],
      );
      // Other methods have budgets of their own.
      await strict.chat.postMessage({ channel: "C2", text: "three" });
    } finally {
      await limited.close();
    }
  });

  test("a scripted 429 with retry-after is retried by the WebClient itself and lands once", async () => {
    fake.failNext("chat.postMessage", {
      status: 429,
      headers: { "retry-after": "1" },
      body: { ok: false, error: "ratelimited" },
    });
    const callsBefore = fake.callsOf("chat.postMessage").length;
    const started = Date.now();
    const posted = await client.chat.postMessage({ channel: "C1", text: "after the limit" });
    assert.ok(Date.now() - started >= 900, "the client waited for retry-after");
    assert.equal(fake.callsOf("chat.postMessage").length - callsBefore, 2);
    assert.equal(fake.messages("C1").filter((message) => message.text === "after the limit").length, 1);
    assert.ok(posted.ts);
  });

  test("a slow call that lands anyway is stored though the client timed out; retries then double-post", async () => {
    fake.failNext("chat.postMessage", { delayMilliseconds: 600, landAnyway: true });
    const impatient = clientFor(fake, { timeout: 150, retries: 0 });
    await assert.rejects(impatient.chat.postMessage({ channel: "C1", text: "slow but lands" }));
    assert.equal(fake.messages("C1").filter((message) => message.text === "slow but lands").length, 1);

    // The hazard the bot must avoid: the WebClient's own retry of a timed-out post posts twice.
    fake.failNext("chat.postMessage", { delayMilliseconds: 600, landAnyway: true });
    const retrying = clientFor(fake, { timeout: 150, retries: 1 });
    await retrying.chat.postMessage({ channel: "C1", text: "posted twice" });
    assert.equal(fake.messages("C1").filter((message) => message.text === "posted twice").length, 2);

    // Without landAnyway, a call whose client went away never lands.
    fake.failNext("chat.postMessage", { delayMilliseconds: 400 });
    await assert.rejects(impatient.chat.postMessage({ channel: "C1", text: "lost" }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(fake.messages("C1").filter((message) => message.text === "lost").length, 0);
  });

  test("a scripted error body answers the next call only", async () => {
    fake.failNext("chat.postMessage", { body: { ok: false, error: "msg_too_long" } });
    assert.equal(await slackError(client.chat.postMessage({ channel: "C1", text: "short" })), "msg_too_long");
    assert.ok((await client.chat.postMessage({ channel: "C1", text: "short" })).ts);
  });

  test("response URLs record what the app sends", async () => {
    const url = fake.responseUrl();
    const answer = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hi", response_type: "ephemeral" }),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(fake.responses.at(-1), { url, body: { text: "hi", response_type: "ephemeral" } });
  });
});

describe("the driver against a real Bolt HTTP receiver", () => {
  let fake: FakeSlack;
  let app: App;
  let appUrl: string;
  const mentions: Array<{
    text: string;
    retryNum: number | undefined;
    retryReason: string | undefined;
    files: number;
  }> = [];
  const commands: Array<{ command: string; text: string; responseUrl: string }> = [];
  const shortcuts: Array<{ callbackId: string; messageTs: string; files: number; channel: string }> = [];
  let mentionArrived: () => void = () => {};

  before(async () => {
    fake = await startFakeSlack();
    fake.addChannel({ id: "C1", name: "general" });
    app = new App({
      token: fake.botToken,
      signingSecret: fake.signingSecret,
      logger: quietLogger,
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    app.event("app_mention", async ({ event, context, client }) => {
      const files = "files" in event && Array.isArray(event.files) ? event.files.length : 0;
      mentions.push({ text: event.text, retryNum: context.retryNum, retryReason: context.retryReason, files });
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: "on it" });
      mentionArrived();
    });
    app.command("/ocr", async ({ command, ack }) => {
      await ack();
      commands.push({ command: command.command, text: command.text, responseUrl: command.response_url });
    });
    app.shortcut("extract_text", async ({ shortcut, ack }) => {
      await ack();
      if (shortcut.type === "message_action") {
        shortcuts.push({
          callbackId: shortcut.callback_id,
          messageTs: shortcut.message_ts,
          files: Array.isArray(shortcut.message.files) ? shortcut.message.files.length : 0,
          channel: shortcut.channel.id,
        });
      }
    });
    const server = await app.start(0);
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  after(async () => {
    await app.stop();
    await fake.close();
  });

  function nextMention(): Promise<void> {
    return new Promise((resolve) => {
      mentionArrived = resolve;
    });
  }

  test("a signed app_mention is accepted and Bolt's client answers in the thread on the fake", async () => {
    const driver = createSlackDriver({ appUrl, fake });
    const file = fake.addFile({ name: "layout.png", mimetype: "image/png", content: Buffer.from([9, 9]), user: "U1" });
    const message = fake.postUserMessage("C1", {
      user: "U1",
      text: `<@${fake.botUserId}> what's wrong?`,
      files: [file],
    });
    const arrived = nextMention();
    const delivery = await driver.sendEvent(driver.appMention("C1", message));
    assert.equal(delivery.status, 200);
    await arrived;
    assert.deepEqual(mentions.at(-1), { text: message.text, retryNum: undefined, retryReason: undefined, files: 1 });
    const reply = fake.messages("C1").find((candidate) => candidate.text === "on it");
    assert.equal(reply?.thread_ts, message.ts);
  });

  test("retry headers reach context.retryNum and context.retryReason", async () => {
    const driver = createSlackDriver({ appUrl, fake });
    const message = fake.postUserMessage("C1", { user: "U1", text: `<@${fake.botUserId}> again` });
    const arrived = nextMention();
    const delivery = await driver.sendEvent(driver.appMention("C1", message), {
      eventId: "Ev0RETRIED",
      retryNum: 2,
      retryReason: "http_timeout",
    });
    assert.equal(delivery.status, 200);
    await arrived;
    assert.equal(mentions.at(-1)?.retryNum, 2);
    assert.equal(mentions.at(-1)?.retryReason, "http_timeout");
    assert.equal(driver.lastEventId(), "Ev0RETRIED");
  });

  test("a bad signature and a stale timestamp are rejected with 401", async () => {
    const message = fake.postUserMessage("C1", { user: "U1", text: `<@${fake.botUserId}> forged` });
    const forger = createSlackDriver({ appUrl, fake, signingSecret: "not-the-secret" });
    const mentionsBefore = mentions.length;
    assert.equal((await forger.sendEvent(forger.appMention("C1", message))).status, 401);

    const driver = createSlackDriver({ appUrl, fake });
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    assert.equal(
      (await driver.sendEvent(driver.appMention("C1", message), { timestampSeconds: tenMinutesAgo })).status,
      401,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(mentions.length, mentionsBefore);
  });

  test("a slash command and a message shortcut are acknowledged with the fields Bolt reads", async () => {
    const driver = createSlackDriver({ appUrl, fake });
    const responseUrl = fake.responseUrl();
    const commandDelivery = await driver.sendSlashCommand({
      command: "/ocr",
      text: "fields: Total",
      userId: "U1",
      channelId: "C1",
      responseUrl,
    });
    assert.equal(commandDelivery.status, 200);
    assert.deepEqual(commands.at(-1), { command: "/ocr", text: "fields: Total", responseUrl });

    const file = fake.addFile({ name: "receipt.jpg", mimetype: "image/jpeg", content: Buffer.from([1]), user: "U1" });
    const message = fake.postUserMessage("C1", { user: "U1", text: "receipt", files: [file] });
    const shortcutDelivery = await driver.sendMessageShortcut({
      callbackId: "extract_text",
      userId: "U1",
      channelId: "C1",
      message,
    });
    assert.equal(shortcutDelivery.status, 200);
    assert.deepEqual(shortcuts.at(-1), { callbackId: "extract_text", messageTs: message.ts, files: 1, channel: "C1" });
  });
});
