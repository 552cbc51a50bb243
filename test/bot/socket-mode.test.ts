/*
 * The Slack app in Socket Mode, end to end: the app as index.ts builds it (createApp, Bolt, the real
 * SocketModeClient over a real WebSocket) against the fake Socket Mode endpoint, the real WebClient
 * against the fake Web API, and core's client against the fake Model Studio. Socket Mode is how most
 * teams run an internal app (no public URL), and it used to drop its connection every few seconds.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { createApp, type GlanceSlackApp } from "../../bot/src/app.js";
import { loadConfig } from "../../bot/src/config.js";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { messageFields } from "../fakes/slack-payloads.js";
import { botReplies, waitFor } from "../support/start-bot.js";

const channel = "C0SOCKET";
const user = "U0SOCKET";
/**
 * Shorter than the client's 5 s, so pings and a reconnect happen within the test (it pings every third
 * of it), yet long enough that preparing an image on a busy machine never makes a pong look late.
 */
const pingTimeout = 4_000;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function smallPng(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed, g: 90, b: 200 } } })
    .png()
    .toBuffer();
}

describe("the Slack app in Socket Mode, against the fake Socket Mode endpoint", () => {
  let fake: FakeSlack;
  let model: FakeModelStudio;
  let bot: GlanceSlackApp;
  let healthOrigin: string;
  const logs: string[] = [];

  before(async () => {
    [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
    fake.addChannel({ id: channel, name: "sockets", members: [user] });
    fake.addUser({ id: user, name: "sam" });
    const config = loadConfig({
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      DASHSCOPE_API_KEY: model.apiKey,
      DASHSCOPE_BASE_URL: model.baseUrl,
      PORT: "0",
    });
    const record = (level: string) => (message: string) => {
      logs.push(`[${level}] ${message}`);
    };
    bot = createApp({
      config,
      logger: { debug: () => {}, info: record("info"), warn: record("warn"), error: record("error") },
      trustedFileOrigins: [fake.fileHostUrl],
      downloadOrigins: [fake.cdnUrl],
      updateIntervalMilliseconds: 50,
      modelClientOptions: { maxRetries: 0, timeoutMilliseconds: 10_000 },
      socketModePingTimeoutMilliseconds: pingTimeout,
    });
    // As index.ts starts it: warmed up, then app.start(PORT) connects and serves the health endpoints on PORT.
    await bot.warmUp();
    const server = (await bot.app.start(0)) as { address(): AddressInfo | string | null };
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("No health port.");
    healthOrigin = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    await bot.idle();
    await bot.app.stop();
    // The app's stop waits for its socket to close; the fake confirms it before it goes away.
    await fake.socketMode.waitUntilAllClosed();
    await Promise.all([fake.close(), model.close()]);
  });

  async function mentionWithImage(text: string, seed: number): Promise<FakeSlackMessage> {
    const file = fake.addFile({
      name: `socket-${seed}.png`,
      mimetype: "image/png",
      content: await smallPng(seed),
      user,
    });
    return fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> ${text}`, files: [file] });
  }

  function sendMention(message: FakeSlackMessage): string {
    return fake.socketMode.sendEvent({ type: "app_mention", ...messageFields(fake, channel, message) });
  }

  it("connects once with the app-level token: one apps.connections.open, one WebSocket, hello", () => {
    assert.equal(fake.callsOf("apps.connections.open").length, 1);
    assert.equal(fake.socketMode.openCalls(), 1);
    assert.equal(fake.socketMode.connections.length, 1);
    assert.equal(fake.socketMode.openConnections().length, 1);
    assert.ok(
      logs.every((line) => !/\[(warn|error)\]/.test(line)),
      `nothing went wrong connecting: ${logs.join(" / ")}`,
    );
  });

  it("acknowledges an app_mention envelope at once and answers it in the thread", async () => {
    const message = await mentionWithImage("what is this?", 1);
    model.script(fakeSteps.answer("A blue rectangle, over the socket."));
    const sentAt = Date.now();
    const envelope = sendMention(message);
    const acknowledgement = await fake.socketMode.waitForAcknowledgement(envelope);
    assert.ok(acknowledgement.receivedAt - sentAt < 3_000, "acknowledged within Slack's 3 s");
    await waitFor(
      () => /A blue rectangle, over the socket\./.test(botReplies(fake, channel, message.ts).join("")),
      "the answer in the thread",
    );
    await bot.idle();
    assert.equal(botReplies(fake, channel, message.ts).length, 1, "answered once");
    assert.ok(fake.fileRequests.some((request) => request.authorization === `Bearer ${fake.botToken}`));
  });

  it("runs /ocr from a slash_commands envelope and replies to its response_url", async () => {
    const file = fake.addFile({ name: "receipt.png", mimetype: "image/png", content: await smallPng(2), user });
    fake.postUserMessage(channel, { user, text: "the receipt", files: [file] });
    model.script(fakeSteps.answer("TOTAL 42.00"));
    const before = fake.responses.length;
    const envelope = fake.socketMode.sendSlashCommand({ command: "/ocr", text: "", userId: user, channelId: channel });
    await fake.socketMode.waitForAcknowledgement(envelope);
    await waitFor(() => fake.responses.length > before, "the /ocr reply");
    assert.equal(fake.responses.at(-1)?.body.text, "TOTAL 42.00");
    assert.equal(fake.responses.at(-1)?.body.response_type, "ephemeral");
  });

  it("runs the Extract text shortcut from an interactive envelope", async () => {
    const file = fake.addFile({ name: "sign.png", mimetype: "image/png", content: await smallPng(3), user });
    const message = fake.postUserMessage(channel, { user, text: "a sign", files: [file] });
    model.script(fakeSteps.answer("NO PARKING"));
    const before = fake.responses.length;
    const envelope = fake.socketMode.sendMessageShortcut({
      callbackId: "extract_text",
      userId: user,
      channelId: channel,
      message,
    });
    await fake.socketMode.waitForAcknowledgement(envelope);
    await waitFor(() => fake.responses.length > before, "the shortcut's reply");
    assert.equal(fake.responses.at(-1)?.body.text, "NO PARKING");
  });

  it("keeps its one connection through the client's pings, each answered", async () => {
    const connection = fake.socketMode.connections[0];
    const pingsBefore = connection?.pings ?? 0;
    // The client pings every pingTimeout / 3 and reconnects when a pong is late; this spans several pings.
    await sleep(pingTimeout * 2);
    assert.equal(fake.socketMode.connections.length, 1, `no reconnect (logged: ${logs.join(" / ")})`);
    assert.ok((connection?.pings ?? 0) - pingsBefore >= 3, `pinged (${connection?.pings} pings in all)`);
    assert.equal(connection?.closedAt, undefined);
  });

  it("recovers from a server-side disconnect with exactly one reconnect, and answers on the new connection", async () => {
    fake.socketMode.dropConnections();
    await fake.socketMode.waitForConnections(2, pingTimeout * 5);
    // Long enough for a reconnect loop to show itself: two more reconnect delays.
    await sleep(pingTimeout * 2);
    assert.equal(fake.socketMode.connections.length, 2, "one reconnect");
    assert.equal(fake.socketMode.openCalls(), 2, "one new apps.connections.open");
    assert.equal(fake.socketMode.openConnections().length, 1);
    assert.equal(fake.socketMode.connections[0]?.closedBy, "fake");

    const message = await mentionWithImage("still there?", 4);
    model.script(fakeSteps.answer("Still here, on the new connection."));
    const envelope = sendMention(message);
    assert.equal((await fake.socketMode.waitForAcknowledgement(envelope)).connection, 2);
    await waitFor(
      () => /Still here, on the new connection\./.test(botReplies(fake, channel, message.ts).join("")),
      "the answer after the reconnect",
    );
  });

  it("serves /healthz, /readyz and /metrics on PORT in Socket Mode too", async () => {
    // Every answer above finished, so each is counted.
    await bot.idle();
    const health = await fetch(`${healthOrigin}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "ok\n");

    const ready = await fetch(`${healthOrigin}/readyz`);
    assert.equal(ready.status, 200);
    const report = (await ready.json()) as { ready: boolean; checks: Array<{ name: string; ready: boolean }> };
    assert.equal(report.ready, true);
    assert.deepEqual(
      report.checks.map((check) => [check.name, check.ready]),
      [
        ["slack", true],
        ["model", true],
      ],
    );

    const metrics = await (await fetch(`${healthOrigin}/metrics`)).text();
    assert.match(metrics, /^glance_answers_total\{outcome="answered"\} 2$/m);
    assert.match(metrics, /^glance_model_request_duration_seconds_count\{outcome="ok"\} [4-9]$/m);

    assert.equal((await fetch(`${healthOrigin}/slack/events`, { method: "POST" })).status, 404);
  });
});
