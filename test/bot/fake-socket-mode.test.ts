/*
 * Proves the fake Socket Mode endpoint against the real @slack/socket-mode SocketModeClient (the
 * version Bolt 5.1.0 uses) over a real WebSocket: apps.connections.open, hello, envelopes and their
 * acknowledgements, a dropped socket and a refresh request each answered by exactly one reconnect,
 * a connection that lives through the client's own pings, and a Bolt app in Socket Mode. The client
 * needs undici 7 (its peer range): under undici 6, which has no WebSocket ping, it reconnects every
 * few hundred milliseconds here and the reconnect and ping tests fail.
 */
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { App } from "@slack/bolt";
import { LogLevel, SocketModeClient } from "@slack/socket-mode";
import { WebClient } from "@slack/web-api";
import { WebSocket } from "ws";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";

/** Short, so reconnects and pings happen within a test: the client pings every third of it and waits as long before reconnecting. */
const clientPingTimeout = 1_500;

type Acknowledge = (response?: Record<string, unknown>) => Promise<void>;

interface ListenerArguments {
  ack: Acknowledge;
  envelope_id: string;
  body: Record<string, unknown>;
  event?: Record<string, unknown>;
  retry_num?: number;
}

interface RunningClient {
  client: SocketModeClient;
  /** Every text frame the client received, parsed. */
  frames: Array<Record<string, unknown>>;
  /** Lines the client logged at warn or error. */
  problems: string[];
  /** Times the client emitted "connected" (after each hello). */
  connectedCount(): number;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

interface Harness {
  fake: FakeSlack;
  /** Starts a SocketModeClient against the fake and resolves once it is connected (hello received). */
  connect(): Promise<RunningClient>;
  /** Stops another client of the fake after the test, before the fake closes. */
  stopBeforeClose(stop: () => Promise<unknown>): void;
}

/** A fake Slack for one test; afterwards its clients disconnect, then it closes. */
async function startHarness(context: TestContext): Promise<Harness> {
  const fake = await startFakeSlack();
  const stops: Array<() => Promise<unknown>> = [];
  context.after(async () => {
    // Clients first: a SocketModeClient whose server vanished before disconnect() keeps a 30 s
    // close-handshake timer, which would hold the test process open.
    for (const stop of stops) await stop();
    await fake.socketMode.waitUntilAllClosed();
    await fake.close();
  });
  return {
    fake,
    stopBeforeClose(stop) {
      stops.push(stop);
    },
    async connect() {
      const problems: string[] = [];
      const record =
        (level: string) =>
        (...parts: unknown[]) => {
          problems.push(`[${level}] ${parts.map(String).join(" ")}`);
        };
      const client = new SocketModeClient({
        appToken: fake.appToken,
        clientPingTimeout,
        logger: {
          debug: () => {},
          info: () => {},
          warn: record("warn"),
          error: record("error"),
          setLevel: () => {},
          getLevel: () => LogLevel.WARN,
          setName: () => {},
        },
        clientOptions: { slackApiUrl: fake.apiUrl },
      });
      stops.push(() => client.disconnect());
      const frames: Array<Record<string, unknown>> = [];
      client.on("ws_message", (data: unknown) => {
        if (typeof data === "string") frames.push(JSON.parse(data) as Record<string, unknown>);
      });
      let connected = 0;
      client.on("connected", () => {
        connected += 1;
      });
      await client.start();
      return { client, frames, problems, connectedCount: () => connected };
    },
  };
}

/** Resolves with the next arguments the client emits `name` with. */
function nextEmitted(client: SocketModeClient, name: string): Promise<ListenerArguments> {
  return new Promise((resolve) => {
    client.once(name, (received: ListenerArguments) => resolve(received));
  });
}

describe("fake Socket Mode endpoint through the real SocketModeClient", () => {
  test("apps.connections.open takes only the app-level token, and other methods refuse it", async (context) => {
    const { fake } = await startHarness(context);
    const options = { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } };
    const opened = await new WebClient(fake.appToken, options).apps.connections.open({});
    assert.match(String(opened.url), /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+&app_id=A0GLANCEAPP$/);
    await assert.rejects(new WebClient(fake.botToken, options).apps.connections.open({}), /not_allowed_token_type/);
    await assert.rejects(new WebClient("xapp-1-wrong", options).apps.connections.open({}), /invalid_auth/);
    await assert.rejects(new WebClient(fake.appToken, options).auth.test(), /not_allowed_token_type/);
    assert.equal(fake.socketMode.openCalls(), 1);
    assert.equal(fake.callsOf("apps.connections.open").length, 3);
  });

  test("connects: one apps.connections.open call, one WebSocket, hello first", async (context) => {
    const { fake, connect } = await startHarness(context);
    const running = await connect();
    assert.equal(fake.socketMode.openCalls(), 1);
    assert.equal(fake.socketMode.connections.length, 1);
    assert.equal(fake.socketMode.openConnections().length, 1);
    const hello = running.frames[0];
    assert.equal(hello?.type, "hello");
    assert.equal(hello?.num_connections, 1);
    assert.deepEqual(hello?.connection_info, { app_id: fake.appId });
    assert.equal(running.connectedCount(), 1);
  });

  test("refuses a WebSocket whose ticket was already used", async (context) => {
    const { fake } = await startHarness(context);
    const opened = await new WebClient(fake.appToken, { slackApiUrl: fake.apiUrl }).apps.connections.open({});
    const url = String(opened.url);
    const statusOf = (target: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(target);
        socket.once("open", () => {
          socket.close();
          resolve(101);
        });
        socket.once("unexpected-response", (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.once("error", (error) => {
          if (socket.readyState !== WebSocket.CLOSED) reject(error);
        });
      });
    assert.equal(await statusOf(url), 101);
    assert.equal(await statusOf(url), 401);
    assert.equal(fake.socketMode.connections.length, 1);
  });

  test("delivers events_api, slash_commands and interactive envelopes and records each acknowledgement", async (context) => {
    const { fake, connect } = await startHarness(context);
    const running = await connect();

    const mention = nextEmitted(running.client, "app_mention");
    const eventEnvelope = fake.socketMode.sendEvent(
      { type: "app_mention", user: "U1", text: "<@U0GLANCEBOT> hello", ts: "1700000000.000100", channel: "C1" },
      { eventId: "Ev0TEST", retryAttempt: 1, retryReason: "timeout" },
    );
    const received = await mention;
    assert.equal(received.envelope_id, eventEnvelope);
    assert.equal(received.event?.text, "<@U0GLANCEBOT> hello");
    assert.equal(received.body.event_id, "Ev0TEST");
    assert.equal(received.body.api_app_id, fake.appId);
    assert.equal(received.retry_num, 1);
    await received.ack();
    const eventAcknowledgement = await fake.socketMode.waitForAcknowledgement(eventEnvelope);
    assert.equal(eventAcknowledgement.connection, 1);

    const command = nextEmitted(running.client, "slash_commands");
    const commandEnvelope = fake.socketMode.sendSlashCommand({
      command: "/ocr",
      text: "https://example.test/a.png",
      userId: "U1",
      channelId: "C1",
    });
    const commandArguments = await command;
    assert.equal(commandArguments.body.command, "/ocr");
    assert.match(String(commandArguments.body.response_url), /^http:\/\/127\.0\.0\.1:\d+\/commands\//);
    await commandArguments.ack({ text: "Working on it." });
    const commandAcknowledgement = await fake.socketMode.waitForAcknowledgement(commandEnvelope);
    assert.deepEqual(commandAcknowledgement.payload, { text: "Working on it." });

    const interactive = nextEmitted(running.client, "interactive");
    const shortcutEnvelope = fake.socketMode.sendMessageShortcut({
      callbackId: "read_text",
      userId: "U1",
      channelId: "C1",
      message: { ts: "1700000000.000200", channel: "C1", user: "U2", text: "see image" },
    });
    const shortcut = await interactive;
    assert.equal(shortcut.body.type, "message_action");
    assert.equal(shortcut.body.callback_id, "read_text");
    await shortcut.ack();
    await fake.socketMode.waitForAcknowledgement(shortcutEnvelope);

    assert.deepEqual(
      fake.socketMode.envelopes.map((envelope) => [envelope.type, envelope.sent.accepts_response_payload]),
      [
        ["events_api", false],
        ["slash_commands", true],
        ["interactive", false],
      ],
    );
    assert.deepEqual(fake.socketMode.strayMessages, []);
  });

  test("reconnects exactly once after a dropped socket, and once after a refresh request", async (context) => {
    const { fake, connect } = await startHarness(context);
    const running = await connect();

    fake.socketMode.dropConnections();
    await fake.socketMode.waitForConnections(2, clientPingTimeout * 4);
    // Long enough for a reconnect loop to show itself: two more reconnect delays.
    await sleep(clientPingTimeout * 2);
    assert.equal(fake.socketMode.connections.length, 2, "one reconnect after the drop");
    assert.equal(fake.socketMode.openCalls(), 2, "each connection from its own apps.connections.open");
    assert.equal(fake.socketMode.connections[0]?.closedBy, "fake");
    assert.equal(running.connectedCount(), 2);

    const mention = nextEmitted(running.client, "app_mention");
    const envelope = fake.socketMode.sendEvent({ type: "app_mention", user: "U1", text: "still there?", ts: "1.2" });
    await (await mention).ack();
    assert.equal((await fake.socketMode.waitForAcknowledgement(envelope)).connection, 2);

    fake.socketMode.requestRefresh();
    await fake.socketMode.waitForConnections(3, clientPingTimeout * 4);
    await sleep(clientPingTimeout * 2);
    assert.equal(fake.socketMode.connections.length, 3, "one reconnect after the refresh request");
    assert.equal(
      fake.socketMode.connections[1]?.closedBy,
      "app",
      "the app closed the connection it was asked to leave",
    );
    assert.equal(fake.socketMode.openConnections().length, 1);
    assert.equal(running.connectedCount(), 3);
  });

  test("serves a Bolt app in Socket Mode: Bolt acknowledges the envelope and runs its listener", async (context) => {
    const { fake, stopBeforeClose } = await startHarness(context);
    const quiet = () => {};
    const app = new App({
      token: fake.botToken,
      appToken: fake.appToken,
      socketMode: true,
      clientOptions: { slackApiUrl: fake.apiUrl },
      // Bolt's Socket Mode receiver calls apps.connections.open with these options, not clientOptions.
      installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl } },
      logger: {
        debug: quiet,
        info: quiet,
        warn: quiet,
        error: quiet,
        setLevel: quiet,
        getLevel: () => LogLevel.ERROR,
        setName: quiet,
      },
    });
    const mentions: string[] = [];
    app.event("app_mention", async ({ event }) => {
      mentions.push(event.text);
    });
    await app.start();
    // Bolt's stop() does not wait for the socket to close; the harness waits for that before closing the fake.
    stopBeforeClose(() => app.stop());
    await fake.socketMode.waitForConnections(1);
    const envelope = fake.socketMode.sendEvent({
      type: "app_mention",
      user: "U1",
      text: "<@U0GLANCEBOT> over the socket",
      ts: "1700000000.000300",
      channel: "C1",
      event_ts: "1700000000.000300",
    });
    const acknowledgement = await fake.socketMode.waitForAcknowledgement(envelope);
    assert.equal(acknowledgement.connection, 1);
    for (let attempt = 0; attempt < 100 && mentions.length === 0; attempt += 1) await sleep(20);
    assert.deepEqual(mentions, ["<@U0GLANCEBOT> over the socket"]);
    assert.equal(fake.socketMode.openCalls(), 1);
  });

  test("keeps one connection through the client's pings: each answered, no reconnect", async (context) => {
    const { fake, connect } = await startHarness(context);
    const running = await connect();
    // The client pings every clientPingTimeout / 3 and reconnects when a pong is late; this spans eight pings.
    await sleep(clientPingTimeout * 3);
    const [connection] = fake.socketMode.connections;
    assert.equal(fake.socketMode.connections.length, 1, `no reconnect (logged: ${running.problems.join("; ")})`);
    assert.ok(connection !== undefined && connection.pings >= 4, `the client pinged (${connection?.pings} pings)`);
    assert.equal(connection?.closedAt, undefined);
    assert.deepEqual(running.problems, []);
  });
});
