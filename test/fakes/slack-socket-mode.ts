/*
 * The fake Slack's Socket Mode endpoint, speaking the real protocol over a real WebSocket on
 * 127.0.0.1 (https://docs.slack.dev/apis/events-api/using-socket-mode,
 * https://api.slack.com/apis/connections/socket-implement):
 *
 * - apps.connections.open takes only the app-level token (xapp-) in the Authorization header and
 *   answers {ok:true, url:"ws://127.0.0.1:<port>/link/?ticket=<ticket>&app_id=<app id>"}, the shape of
 *   Slack's wss://wss-primary.slack.com/link/?ticket=...&app_id=... URL
 *   (https://docs.slack.dev/reference/methods/apps.connections.open).
 * - On connecting, the app gets {"type":"hello","num_connections":n,"debug_info":{...},
 *   "connection_info":{"app_id":...}} (fields as node-slack-sdk's packages/socket-mode/src/HelloMessage.ts
 *   documents them).
 * - Events, slash commands and interactive payloads arrive as envelopes {"envelope_id", "type":
 *   "events_api" | "slash_commands" | "interactive", "payload", "accepts_response_payload"}, events
 *   with "retry_attempt" and "retry_reason" too (as captured in python-slack-sdk's
 *   tests/slack_sdk/socket_mode/mock_socket_mode_server.py). The app acknowledges each with
 *   {"envelope_id": ..., "payload"?: ...} (node-slack-sdk's SocketModeClient.send); the fake records them.
 * - WebSocket pings from the app are answered with pongs (ws does so by default) and counted.
 * - The fake can ask the app to reconnect with {"type":"disconnect","reason":"refresh_requested",
 *   "debug_info":{"host":...}}, as Slack does when it recycles a connection, or drop the socket
 *   without a close frame, as a network failure would.
 *
 * A ticket is good for one connection here: the SDKs fetch a fresh URL for every connection, and a
 * test then sees that each connection came from its own apps.connections.open call.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import {
  eventCallback,
  type MessageShortcut,
  messageShortcutPayload,
  newEventId,
  type SlashCommand,
  slashCommandFields,
} from "./slack-payloads.js";
import type { SlackIdentity } from "./slack-state.js";
import type { MethodTable } from "./slack-web-api.js";

export type FakeSocketModeEnvelopeType = "events_api" | "slash_commands" | "interactive";

/** The reasons Slack gives in a disconnect message (those node-slack-sdk's socket-mode integration tests replay). */
export type FakeSocketModeDisconnectReason = "refresh_requested" | "warning" | "too_many_websockets";

export interface FakeSocketModeConnection {
  /** 1 for the first connection, then 2, 3, ... */
  number: number;
  openedAt: number;
  /** When the connection closed; absent while it is open. */
  closedAt?: number;
  /** Who ended it: the app (close frame or socket end), or the fake (dropConnections, close). */
  closedBy?: "app" | "fake";
  /** WebSocket pings the app sent on this connection, each answered with a pong. */
  pings: number;
}

export interface FakeSocketModeEnvelope {
  envelopeId: string;
  type: FakeSocketModeEnvelopeType;
  /** The number of the connection it went out on. */
  connection: number;
  /** The envelope as sent. */
  sent: Record<string, unknown>;
  sentAt: number;
}

export interface FakeSocketModeAcknowledgement {
  envelopeId: string;
  /** The payload the app sent with the acknowledgement, when it sent one (e.g. a slash command's reply). */
  payload?: unknown;
  /** The number of the connection it came on. */
  connection: number;
  receivedAt: number;
}

export interface FakeSocketMode {
  /** "xapp-1-..." the only token apps.connections.open accepts. */
  appToken: string;
  /** Every WebSocket connection so far, in order (a live list). */
  connections: FakeSocketModeConnection[];
  /** Every envelope delivered, in order. */
  envelopes: FakeSocketModeEnvelope[];
  /** Every acknowledgement the app sent, in order. */
  acknowledgements: FakeSocketModeAcknowledgement[];
  /** Text messages from the app that were not acknowledgements (not JSON, or no envelope_id). */
  strayMessages: string[];
  /** apps.connections.open calls answered with a URL (FakeSlack.callsOf counts failed calls too). */
  openCalls(): number;
  /** The connections open now. */
  openConnections(): FakeSocketModeConnection[];
  /** Resolves once `count` connections have been made in all; rejects after the timeout (default 5 s). */
  waitForConnections(count: number, timeoutMilliseconds?: number): Promise<void>;
  /**
   * Resolves once every connection so far has closed; rejects after the timeout (default 5 s). Bolt's
   * app.stop() does not wait for its socket to close; await this before closing the fake, or the
   * client, finding its server gone mid close handshake, keeps a 30 s timer that holds the process.
   */
  waitUntilAllClosed(timeoutMilliseconds?: number): Promise<void>;
  /** Resolves with the acknowledgement of an envelope; rejects after the timeout (default 5 s). */
  waitForAcknowledgement(envelopeId: string, timeoutMilliseconds?: number): Promise<FakeSocketModeAcknowledgement>;
  /** Delivers an event in an events_api envelope on the newest open connection; returns the envelope_id. */
  sendEvent(
    event: Record<string, unknown>,
    options?: { eventId?: string; retryAttempt?: number; retryReason?: string },
  ): string;
  /** Delivers a slash command in a slash_commands envelope; returns the envelope_id. */
  sendSlashCommand(command: SlashCommand & { responseUrl?: string }): string;
  /** Delivers a message shortcut in an interactive envelope; returns the envelope_id. */
  sendMessageShortcut(shortcut: MessageShortcut & { responseUrl?: string }): string;
  /** Delivers any interactive payload (block_actions, view_submission, shortcut, ...); returns the envelope_id. */
  sendInteractive(payload: Record<string, unknown>, options?: { acceptsResponsePayload?: boolean }): string;
  /** Sends {"type":"disconnect","reason":...} on every open connection; the app is expected to reconnect. */
  requestRefresh(reason?: FakeSocketModeDisconnectReason): void;
  /** Ends every open connection from the server side without a close frame, as a network failure would. */
  dropConnections(): void;
}

/** The running endpoint: the public face, the Web API method it adds, and the HTTP upgrade it answers. */
export interface SocketModeEndpoint {
  fake: FakeSocketMode;
  /** apps.connections.open, which takes the app-level token. */
  appMethods: MethodTable;
  /** Answers a WebSocket handshake to the main origin. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** Socket Mode URLs live under this path, as Slack's do. */
const linkPath = "/link/";
const debugHost = "applink-fake-1";

interface LiveConnection {
  record: FakeSocketModeConnection;
  socket: WebSocket;
}

export function createSocketModeEndpoint(options: {
  identity: SlackIdentity;
  /** Origin of the main server, e.g. http://127.0.0.1:PORT. */
  origin: string;
  /** A new response_url for slash commands and shortcuts that bring none. */
  responseUrl: () => string;
}): SocketModeEndpoint {
  const { identity, origin } = options;
  const webSocketOrigin = origin.replace(/^http/, "ws");
  // noServer: the main HTTP server hands upgrades over, so the WebSocket shares its port.
  const server = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const live: LiveConnection[] = [];
  const connections: FakeSocketModeConnection[] = [];
  const envelopes: FakeSocketModeEnvelope[] = [];
  const acknowledgements: FakeSocketModeAcknowledgement[] = [];
  const strayMessages: string[] = [];
  let urlsIssued = 0;

  /** Connections not closed yet, some maybe mid close handshake. */
  function unclosed(): LiveConnection[] {
    return live.filter((connection) => connection.record.closedAt === undefined);
  }

  /** Connections that can carry messages now. */
  function openLive(): LiveConnection[] {
    return unclosed().filter((connection) => connection.socket.readyState === WebSocket.OPEN);
  }

  function receive(record: FakeSocketModeConnection, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      strayMessages.push(text);
      return;
    }
    if (typeof parsed !== "object" || parsed === null || !("envelope_id" in parsed)) {
      strayMessages.push(text);
      return;
    }
    const envelopeId = parsed.envelope_id;
    if (typeof envelopeId !== "string") {
      strayMessages.push(text);
      return;
    }
    const acknowledgement: FakeSocketModeAcknowledgement = {
      envelopeId,
      connection: record.number,
      receivedAt: Date.now(),
    };
    if ("payload" in parsed) {
      acknowledgement.payload = parsed.payload;
    }
    acknowledgements.push(acknowledgement);
  }

  function accept(socket: WebSocket): void {
    const record: FakeSocketModeConnection = { number: connections.length + 1, openedAt: Date.now(), pings: 0 };
    connections.push(record);
    live.push({ record, socket });
    socket.on("ping", () => {
      record.pings += 1;
    });
    socket.on("message", (data, isBinary) => {
      if (!isBinary) {
        receive(record, data.toString());
      }
    });
    socket.on("close", () => {
      record.closedAt ??= Date.now();
      record.closedBy ??= "app";
    });
    socket.on("error", () => {
      // A socket the app tore down mid-frame; its close event records the end.
    });
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: openLive().length,
        debug_info: { host: debugHost, build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: identity.appId },
      }),
    );
  }

  function rejectHandshake(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  function deliver(type: FakeSocketModeEnvelopeType, envelope: Record<string, unknown>): string {
    const target = openLive().at(-1);
    if (target === undefined) {
      throw new Error(
        `The fake Socket Mode endpoint has no open connection to deliver a ${type} envelope on; ` +
          "start the app and await socketMode.waitForConnections(1) first.",
      );
    }
    const envelopeId = randomUUID();
    const sent = { envelope_id: envelopeId, ...envelope, type };
    envelopes.push({ envelopeId, type, connection: target.record.number, sent, sentAt: Date.now() });
    target.socket.send(JSON.stringify(sent));
    return envelopeId;
  }

  async function waitFor<T>(find: () => T | undefined, what: string, timeoutMilliseconds: number): Promise<T> {
    const deadline = Date.now() + timeoutMilliseconds;
    for (;;) {
      const found = find();
      if (found !== undefined) {
        return found;
      }
      if (Date.now() >= deadline) {
        throw new Error(`The fake Socket Mode endpoint waited ${timeoutMilliseconds} ms for ${what}.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const fake: FakeSocketMode = {
    appToken: identity.appToken,
    connections,
    envelopes,
    acknowledgements,
    strayMessages,

    openCalls() {
      return urlsIssued;
    },

    openConnections() {
      return openLive().map((connection) => connection.record);
    },

    async waitForConnections(count, timeoutMilliseconds = 5_000) {
      await waitFor(
        () => (connections.length >= count ? true : undefined),
        `${count} connection(s) (${connections.length} so far)`,
        timeoutMilliseconds,
      );
    },

    async waitUntilAllClosed(timeoutMilliseconds = 5_000) {
      await waitFor(
        () => (unclosed().length === 0 ? true : undefined),
        `every connection to close (${unclosed().length} still open)`,
        timeoutMilliseconds,
      );
    },

    waitForAcknowledgement(envelopeId, timeoutMilliseconds = 5_000) {
      return waitFor(
        () => acknowledgements.find((acknowledgement) => acknowledgement.envelopeId === envelopeId),
        `the acknowledgement of envelope ${envelopeId}`,
        timeoutMilliseconds,
      );
    },

    sendEvent(event, eventOptions = {}) {
      return deliver("events_api", {
        payload: eventCallback(identity, event, eventOptions.eventId ?? newEventId()),
        accepts_response_payload: false,
        retry_attempt: eventOptions.retryAttempt ?? 0,
        retry_reason: eventOptions.retryReason ?? "",
      });
    },

    sendSlashCommand(command) {
      return deliver("slash_commands", {
        payload: slashCommandFields(identity, command, command.responseUrl ?? options.responseUrl()),
        // A slash command's acknowledgement may carry the reply message.
        accepts_response_payload: true,
      });
    },

    sendMessageShortcut(shortcut) {
      return deliver("interactive", {
        payload: messageShortcutPayload(identity, shortcut, shortcut.responseUrl ?? options.responseUrl()),
        accepts_response_payload: false,
      });
    },

    sendInteractive(payload, interactiveOptions = {}) {
      return deliver("interactive", {
        payload,
        accepts_response_payload: interactiveOptions.acceptsResponsePayload ?? false,
      });
    },

    requestRefresh(reason = "refresh_requested") {
      for (const connection of openLive()) {
        connection.socket.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: debugHost } }));
      }
    },

    dropConnections() {
      for (const connection of unclosed()) {
        // The fake never starts a close handshake, so a socket already closing is the app's doing;
        // its close event records that.
        if (connection.socket.readyState === WebSocket.OPEN) {
          connection.record.closedAt = Date.now();
          connection.record.closedBy = "fake";
        }
        connection.socket.terminate();
      }
    },
  };

  return {
    fake,

    appMethods: {
      "apps.connections.open": () => {
        const ticket = randomUUID();
        tickets.add(ticket);
        urlsIssued += 1;
        return { ok: true, url: `${webSocketOrigin}${linkPath}?ticket=${ticket}&app_id=${identity.appId}` };
      },
    },

    upgrade(request, socket, head) {
      const url = new URL(request.url ?? "/", origin);
      if (url.pathname !== linkPath) {
        rejectHandshake(socket, 404, "Not Found");
        return;
      }
      const ticket = url.searchParams.get("ticket") ?? "";
      if (!tickets.delete(ticket)) {
        rejectHandshake(socket, 401, "Unauthorized");
        return;
      }
      server.handleUpgrade(request, socket, head, accept);
    },

    async close() {
      fake.dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
