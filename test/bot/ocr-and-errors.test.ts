import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isNonPublicAddress } from "@glance/core";
import sharp from "sharp";
import { tokensUsedToday } from "../../bot/src/guardrails/token-budget.js";
import {
  countMedia,
  type FakeChatBody,
  type FakeModelStudio,
  fakeSteps,
  startFakeModelStudio,
} from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { makeLongVideo } from "../support/media-factory.js";
import { botReplies, type RunningBot, startBot, waitFor } from "../support/start-bot.js";

const channel = "C0OCR";
const user = "U0CAROL";

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 200, g: seed, b: 10 } } })
    .png()
    .toBuffer();
}

/** A plain image host on 127.0.0.1: a public website stand-in for `/ocr <URL>`. */
async function startImageHost(image: Buffer): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url === "/shot.png") {
      response.writeHead(200, { "content-type": "image/png" });
      response.end(image);
    } else {
      response.writeHead(200, { "content-type": "image/png" });
      response.end("<html><body>not an image</body></html>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("/ocr sources, snippets and the Extract text shortcut", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;
  let host: { origin: string; server: Server };

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    host = await startImageHost(await smallPng(77));
    fake.addChannel({ id: channel, name: "ocr" });
    running = await startBot(fake, model, {
      dependencies: { trustedFileOrigins: [fake.fileHostUrl, host.origin] },
    });
  });

  after(async () => {
    await running.stop();
    await new Promise((resolve) => host.server.close(resolve));
    await Promise.all([fake.close(), model.close()]);
  });

  async function ocr(text: string): Promise<Record<string, unknown>> {
    const before = fake.responses.length;
    const delivery = await running.driver.sendSlashCommand({ command: "/ocr", text, userId: user, channelId: channel });
    assert.equal(delivery.status, 200);
    await waitFor(() => fake.responses.length > before, `the response to /ocr ${text}`);
    await running.bot.idle();
    return fake.responses.at(-1)?.body ?? {};
  }

  it("reads the image of a linked message, top-level or in a thread", async () => {
    const file = fake.addFile({ name: "linked.png", mimetype: "image/png", content: await smallPng(1), user });
    const linked = fake.postUserMessage(channel, { user, text: "the invoice", files: [file] });
    fake.postUserMessage(channel, { user, text: "a newer message without an image" });
    model.script(fakeSteps.answer("INVOICE 17"));
    const answer = await ocr(`<${fake.permalink(channel, linked.ts)}>`);
    assert.equal(answer.text, "INVOICE 17");
    assert.equal(answer.response_type, "ephemeral");
    assert.ok(fake.fileRequests.some((request) => request.fileId === file.id));

    const inThread = fake.addFile({ name: "reply.png", mimetype: "image/png", content: await smallPng(2), user });
    const reply = fake.postUserMessage(channel, { user, text: "reply", thread_ts: linked.ts, files: [inThread] });
    model.script(fakeSteps.answer("RECEIPT 9"));
    assert.equal((await ocr(fake.permalink(channel, reply.ts))).text, "RECEIPT 9");
    assert.ok(fake.fileRequests.some((request) => request.fileId === inThread.id));
  });

  it("reads an image URL, sending no Slack token, and refuses a page that is not an image", async () => {
    const requestsBefore = model.requests.length;
    model.script(fakeSteps.answer("HELLO FROM THE WEB"));
    assert.equal((await ocr(`${host.origin}/shot.png`)).text, "HELLO FROM THE WEB");
    assert.equal(countMedia(model.requests.at(-1)?.body as FakeChatBody).images, 1);
    const refused = await ocr(`<${host.origin}/page.html>`);
    assert.match(String(refused.text), /did not answer with an image/);
    assert.equal(model.requests.length, requestsBefore + 1, "the page never reached the model");
  });

  it("refuses http, loopback and private destinations for /ocr <URL>", async () => {
    assert.match(String((await ocr("http://example.com/a.png")).text), /only download https links/);
    assert.match(String((await ocr("https://127.0.0.1/a.png")).text), /private or local address/);
    assert.match(String((await ocr("https://[::1]/a.png")).text), /private or local address/);
    assert.match(String((await ocr("https://localhost/a.png")).text), /private or local address/);
    for (const address of [
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "::ffff:127.0.0.1",
      "fd00::1",
      "fe80::1",
    ]) {
      assert.equal(isNonPublicAddress(address), true, address);
    }
    for (const address of ["93.184.216.34", "2606:4700::1111"])
      assert.equal(isNonPublicAddress(address), false, address);
  });

  it("returns long text as a snippet file, and shares in the channel on request", async () => {
    const file = fake.addFile({ name: "page.png", mimetype: "image/png", content: await smallPng(3), user });
    fake.postUserMessage(channel, { user, text: "scan", files: [file] });
    const longText = Array.from({ length: 120 }, (_, index) => `Line ${index} of the scanned page.`).join("\n");
    model.script(fakeSteps.answer(longText));
    const answer = await ocr("share");
    assert.equal(answer.response_type, "in_channel");
    assert.match(String(answer.text), /shared it as a file/);
    const upload = fake.uploads.at(-1);
    assert.equal(upload?.channel, channel);
    assert.equal(upload?.content.toString("utf8"), longText);

    model.script(fakeSteps.answer("SHORT"));
    const shared = await ocr("share");
    assert.equal(shared.response_type, "in_channel");
    assert.equal(shared.text, "SHORT");
  });

  it("Extract text works on a message in a thread, and its long text lands in that thread", async () => {
    const root = fake.postUserMessage(channel, { user, text: "thread root" });
    const file = fake.addFile({ name: "thread.png", mimetype: "image/png", content: await smallPng(4), user });
    const message = fake.postUserMessage(channel, { user, text: "in thread", thread_ts: root.ts, files: [file] });
    model.script(fakeSteps.answer("EXTRACTED"));
    let before = fake.responses.length;
    await running.driver.sendMessageShortcut({ callbackId: "extract_text", userId: user, channelId: channel, message });
    await waitFor(() => fake.responses.length > before, "the shortcut response");
    await running.bot.idle();
    assert.equal(fake.responses.at(-1)?.body.text, "EXTRACTED");
    assert.equal(fake.responses.at(-1)?.body.response_type, "ephemeral");

    // A shortcut's reply is private: long text comes back in several ephemeral messages, never as a
    // file in the channel for everyone.
    const longText = Array.from({ length: 300 }, (_, index) => `Row ${index} of the private scan.`).join("\n");
    model.script(fakeSteps.answer(longText));
    const uploadsBefore = fake.uploads.length;
    before = fake.responses.length;
    await running.driver.sendMessageShortcut({ callbackId: "extract_text", userId: user, channelId: channel, message });
    await waitFor(() => fake.responses.length > before + 1, "the second shortcut's responses");
    await running.bot.idle();
    assert.equal(fake.uploads.length, uploadsBefore, "nothing uploaded publicly");
    const pieces = fake.responses.slice(before).map((response) => response.body);
    assert.ok(pieces.every((piece) => piece.response_type === "ephemeral"));
    assert.ok(pieces.every((piece) => String(piece.text).length <= 4_000));
    const joined = pieces.map((piece) => String(piece.text)).join("\n");
    for (const index of [0, 150, 299]) assert.match(joined, new RegExp(`Row ${index} of the private scan\\.`));
  });

  it("long /ocr text without share stays private; a field named Share price does not share", async () => {
    const file = fake.addFile({ name: "private.png", mimetype: "image/png", content: await smallPng(5), user });
    fake.postUserMessage(channel, { user, text: "scan", files: [file] });
    const longText = Array.from({ length: 200 }, (_, index) => `Line ${index} stays private.`).join("\n");
    model.script(fakeSteps.answer(longText));
    const uploadsBefore = fake.uploads.length;
    const before = fake.responses.length;
    await running.driver.sendSlashCommand({ command: "/ocr", text: "", userId: user, channelId: channel });
    await waitFor(() => fake.responses.length > before + 1, "the private pieces");
    await running.bot.idle();
    assert.equal(fake.uploads.length, uploadsBefore);
    const pieces = fake.responses.slice(before).map((response) => response.body);
    assert.ok(pieces.every((piece) => piece.response_type === "ephemeral"));
    assert.match(pieces.map((piece) => String(piece.text)).join("\n"), /Line 199 stays private\./);

    model.script(fakeSteps.answer('{"Share price": "12.5"}'));
    const answer = await ocr("fields: Share price");
    assert.equal(answer.response_type, "ephemeral");
    assert.deepEqual(JSON.parse(String(answer.text).replace(/```/g, "")), { "Share price": "12.5" });
  });

  it("reads a linked message elsewhere only for a member of that channel", async () => {
    const elsewhere = "C0PAYROLL";
    fake.addChannel({ id: elsewhere, name: "payroll", isPrivate: true, members: ["U0DAVE"] });
    const file = fake.addFile({
      name: "salaries.png",
      mimetype: "image/png",
      content: await smallPng(6),
      user: "U0DAVE",
    });
    const secret = fake.postUserMessage(elsewhere, { user: "U0DAVE", text: "salaries", files: [file] });
    const requestsBefore = model.requests.length;
    const refused = await ocr(fake.permalink(elsewhere, secret.ts));
    assert.equal(refused.response_type, "ephemeral");
    assert.match(String(refused.text), /only read messages from this channel or a channel you are in/);
    assert.equal(model.requests.length, requestsBefore, "nothing was read for a non-member");
    assert.ok(!fake.fileRequests.some((request) => request.fileId === file.id), "the file was not downloaded");

    fake.addChannel({ id: elsewhere, name: "payroll", isPrivate: true, members: ["U0DAVE", user] });
    model.script(fakeSteps.answer("SALARY TABLE"));
    assert.equal((await ocr(fake.permalink(elsewhere, secret.ts))).text, "SALARY TABLE");
  });

  it("never retries a shared upload blindly (an unclear failure may have landed)", async () => {
    const file = fake.addFile({ name: "upload.png", mimetype: "image/png", content: await smallPng(9), user });
    fake.postUserMessage(channel, { user, text: "scan", files: [file] });
    model.script(fakeSteps.answer("y".repeat(3_000)));
    const completesBefore = fake.callsOf("files.completeUploadExternal").length;
    fake.failNext("files.completeUploadExternal", { status: 500, body: { ok: false, error: "internal_error" } });
    const answer = await ocr("share");
    assert.equal(answer.response_type, "ephemeral", "the failure is told to the user alone");
    assert.equal(fake.callsOf("files.completeUploadExternal").length, completesBefore + 1, "sent once");
  });

  it("refunds the reserved tokens when the model fails before answering", async () => {
    const file = fake.addFile({ name: "refund.png", mimetype: "image/png", content: await smallPng(8), user });
    fake.postUserMessage(channel, { user, text: "scan", files: [file] });
    const spent = async () =>
      (await tokensUsedToday(running.bot.services.state.budgets, { userId: user, channel }, Date.now())).user;
    const spentBefore = await spent();
    model.script(fakeSteps.serverError(503));
    const answer = await ocr("");
    assert.equal(answer.response_type, "ephemeral");
    assert.equal(await spent(), spentBefore, "nothing stays booked");
  });

  it("answers unknown arguments, an empty fields list and a pasted Slack file URL clearly", async () => {
    const requestsBefore = model.requests.length;
    assert.match(String((await ocr("hello")).text), /didn't understand "hello"/);
    assert.match(String((await ocr("fields:")).text), /Name at least one field/);
    assert.equal(model.requests.length, requestsBefore, "neither reached the model");

    const file = fake.addFile({ name: "pasted.png", mimetype: "image/png", content: await smallPng(7), user });
    model.script(fakeSteps.answer("PASTED TEXT"));
    assert.equal((await ocr(file.url_private)).text, "PASTED TEXT");
    const request = fake.fileRequests.findLast((item) => item.fileId === file.id);
    assert.ok(request !== undefined, "downloaded from Slack");
  });

  it("reads a pasted Slack file only for someone who uploaded it or is in a conversation it is shared in", async () => {
    // A private channel and a DM with the bot that carol is not in: the bot can see their files, carol cannot.
    fake.addChannel({ id: "G0SECRET", name: "secret", isPrivate: true, members: ["U0DAVE"] });
    fake.addChannel({ id: "D0DAVE", name: "dave-dm", isIm: true, members: ["U0DAVE"] });
    const requestsBefore = model.requests.length;
    for (const conversation of ["G0SECRET", "D0DAVE"]) {
      const secret = fake.addFile({
        name: "payroll.png",
        mimetype: "image/png",
        content: await smallPng(11),
        user: "U0DAVE",
      });
      fake.postUserMessage(conversation, { user: "U0DAVE", text: "numbers", files: [secret] });
      const refused = await ocr(secret.url_private);
      assert.match(
        String(refused.text),
        /only read Slack files you uploaded or that are shared in a conversation you are in/,
      );
      assert.equal(refused.response_type, "ephemeral");
      assert.equal(
        fake.fileRequests.filter((item) => item.fileId === secret.id).length,
        0,
        `nothing of the file in ${conversation} was downloaded`,
      );
    }
    assert.equal(model.requests.length, requestsBefore, "the model never saw it");

    // Once carol is in the private channel, the same kind of file is hers to read.
    fake.addChannel({ id: "G0SHARED", name: "shared", isPrivate: true, members: ["U0DAVE", user] });
    const shared = fake.addFile({
      name: "plan.png",
      mimetype: "image/png",
      content: await smallPng(12),
      user: "U0DAVE",
    });
    fake.postUserMessage("G0SHARED", { user: "U0DAVE", text: "the plan", files: [shared] });
    model.script(fakeSteps.answer("PLAN TEXT"));
    assert.equal((await ocr(shared.url_private)).text, "PLAN TEXT");
  });
});

describe("/ocr within the concurrency limit and queue", () => {
  it("runs no more /ocr model calls at once than GLANCE_MAX_CONCURRENT and tells the rest the queue is full", async () => {
    const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "busy" });
    const running = await startBot(fake, model, {
      environment: { GLANCE_MAX_CONCURRENT: "1", GLANCE_MAX_QUEUED: "1" },
    });
    try {
      const file = fake.addFile({ name: "busy.png", mimetype: "image/png", content: await smallPng(30), user });
      fake.postUserMessage(channel, { user, text: "read me", files: [file] });
      for (let index = 0; index < 8; index += 1) model.script(fakeSteps.slow(300, `TEXT ${index}`));
      const deliveries = await Promise.all(
        Array.from({ length: 8 }, () =>
          running.driver.sendSlashCommand({ command: "/ocr", text: "", userId: user, channelId: channel }),
        ),
      );
      assert.ok(
        deliveries.every((delivery) => delivery.status === 200),
        "every command acknowledged",
      );
      await waitFor(() => fake.responses.length === 8, "an answer to every /ocr");
      await running.bot.idle();
      const texts = fake.responses.map((response) => String(response.body.text));
      assert.equal(texts.filter((text) => /queue is full/.test(text)).length, 6, texts.join(" | "));
      assert.equal(texts.filter((text) => /^TEXT \d$/.test(text)).length, 2, "one running and one queued were read");
      assert.equal(model.requests.length, 2, "only those reached the model");
    } finally {
      await running.stop();
      await Promise.all([fake.close(), model.close()]);
    }
  });
});

describe("no channel access, file size limits, Slack Connect stubs and video length", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let running: RunningBot;

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "errors" });
    running = await startBot(fake, model, { environment: { GLANCE_MAX_FILE_MB: "1" } });
  });

  after(async () => {
    await running.stop();
    await Promise.all([fake.close(), model.close()]);
  });

  async function reply(threadChannel: string, ts: string, bot: RunningBot = running): Promise<string> {
    await waitFor(() => botReplies(fake, threadChannel, ts).length > 0, "a reply", 60_000);
    await bot.bot.idle();
    return botReplies(fake, threadChannel, ts).join("\n");
  }

  it("tells the user by DM when it is not in the channel and cannot read the thread", async () => {
    const outside = "C0OUTSIDE";
    fake.addChannel({ id: outside, name: "outside", botIsMember: false });
    // chat.postMessage with a user id as channel opens the app's DM with that user.
    fake.addChannel({ id: user, name: "carol-dm", isIm: true });
    const root = fake.postUserMessage(outside, { user, text: "root" });
    const message = fake.postUserMessage(outside, {
      user,
      text: `<@${fake.botUserId}> what is in the image above?`,
      thread_ts: root.ts,
    });
    await running.driver.sendEvent(running.driver.appMention(outside, message));
    await waitFor(() => fake.messages(user).some((item) => item.bot_id !== undefined), "the DM");
    await running.bot.idle();
    const dm = fake.messages(user).find((item) => item.bot_id !== undefined);
    assert.match(dm?.text ?? "", /not a member of this channel.*\/invite/);
    assert.match(dm?.text ?? "", new RegExp(outside));
    assert.ok(fake.callsOf("chat.postEphemeral").length > 0, "an ephemeral reply was tried first");
  });

  // Sizes read in decimal units (1 MB = 1,000,000 bytes), like every size in core; the MiB setting is named beside them.
  it("refuses a file above GLANCE_MAX_FILE_MB from its size, before downloading it", async () => {
    const file = fake.addFile({ name: "huge.png", mimetype: "image/png", content: randomBytes(1_500_000), user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> read this`, files: [file] });
    await running.driver.sendEvent(running.driver.appMention(channel, message));
    assert.match(
      await reply(channel, message.ts),
      /huge\.png is 1\.5 MB, above the 1\.05 MB I download \(GLANCE_MAX_FILE_MB is 1 MiB\)/,
    );
    assert.ok(!fake.fileRequests.some((request) => request.fileId === file.id), "never downloaded");
  });

  it("refuses during the download when the declared size lied", async () => {
    const file = fake.addFile({ name: "liar.png", mimetype: "image/png", content: randomBytes(1_500_000), user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> read this`, files: [file] });
    const event = running.driver.appMention(channel, message);
    event.files = [{ ...file, size: 2_000 }];
    await running.driver.sendEvent(event);
    assert.match(
      await reply(channel, message.ts),
      /liar\.png is 1\.5 MB, above the 1\.05 MB I download \(GLANCE_MAX_FILE_MB is 1 MiB\)/,
    );
    assert.ok(
      fake.fileRequests.some((request) => request.fileId === file.id),
      "the download was started",
    );
  });

  it("never fetches a url_private off Slack's hosts over http or at a private address, nor sends it the token", async () => {
    const seen: Array<string | undefined> = [];
    const elsewhere = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { "content-type": "image/png" }).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    try {
      const file = fake.addFile({ name: "moved.png", mimetype: "image/png", content: await smallPng(6), user });
      for (const [index, link] of [
        `${origin}/moved.png`,
        `https://127.0.0.1:${new URL(origin).port}/moved.png`,
      ].entries()) {
        const message = fake.postUserMessage(channel, {
          user,
          text: `<@${fake.botUserId}> read this ${index}`,
          files: [file],
        });
        const event = running.driver.appMention(channel, message);
        event.files = [{ ...file, url_private: link, url_private_download: link }];
        await running.driver.sendEvent(event);
        assert.match(
          await reply(channel, message.ts),
          index === 0
            ? /can't open moved\.png: its download link points to an address that is not https/
            : /can't open moved\.png: its download link points to 127\.0\.0\.1, a private or local address that is not Slack's/,
        );
      }
      assert.deepEqual(seen, [], "no request, with or without the token, reached the other host");
    } finally {
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it("completes a Slack Connect file stub with files.info before downloading it", async () => {
    const file = fake.addFile({ name: "connect.png", mimetype: "image/png", content: await smallPng(5), user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> and this?`, files: [file] });
    const event = running.driver.appMention(channel, message);
    event.files = [{ id: file.id, mode: "file_access", file_access: "check_file_info" }];
    await running.driver.sendEvent(event);
    assert.match(await reply(channel, message.ts), /received 1 image/);
    assert.ok(fake.callsOf("files.info").some((call) => call.arguments.file === file.id));
  });

  it("refuses a video beyond the model's duration, naming the limit, unless asked for a summary", async () => {
    // qwen-vl-plus watches at most 10 minutes, so a long test video stays cheap to make.
    const video = await startBot(fake, model, { environment: { GLANCE_MODEL: "qwen-vl-plus" } });
    after(() => video.stop());
    const content = await readFile(await makeLongVideo(610, 320, 180));
    const file = fake.addFile({ name: "meeting.mp4", mimetype: "video/mp4", content, user });
    const refused = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> what happens?`, files: [file] });
    await video.driver.sendEvent(video.driver.appMention(channel, refused));
    assert.match(
      await reply(channel, refused.ts, video),
      /meeting\.mp4: the video is 610(\.\d+)? s long, but I can watch at most 600 s.*summarize/,
    );

    const summary = fake.postUserMessage(channel, {
      user,
      text: `<@${fake.botUserId}> summarize this`,
      files: [file],
    });
    await video.driver.sendEvent(video.driver.appMention(channel, summary));
    assert.match(await reply(channel, summary.ts, video), /received 0 image\(s\), 0 video file\(s\) and 1 frame list/);
  });
});
