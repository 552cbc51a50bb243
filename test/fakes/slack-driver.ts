/*
 * Delivers events, slash commands and shortcuts to an app's HTTP receiver the way Slack does:
 * the same envelopes and form bodies, a v0 HMAC-SHA256 signature over "v0:{timestamp}:{raw body}",
 * and the retry headers Slack adds when it redelivers an event.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { FakeSlack, FakeSlackFile, FakeSlackMessage } from "./slack.js";

export interface DeliveryResult {
  status: number;
  body: string;
  milliseconds: number;
}

export interface SlackDriver {
  /** Wraps `event` in an event_callback envelope and POSTs it signed, with X-Slack-Retry-Num / X-Slack-Retry-Reason when given. Extra: `eventId` lets a retry reuse the first delivery's id (Slack's retries do). */
  sendEvent(
    event: Record<string, unknown>,
    options?: { eventId?: string; retryNum?: number; retryReason?: string; timestampSeconds?: number },
  ): Promise<DeliveryResult>;
  /** Form-encoded slash command (token, team_id, channel_id, user_id, command, text, response_url, trigger_id...). */
  sendSlashCommand(command: {
    command: string;
    text: string;
    userId: string;
    channelId: string;
    responseUrl?: string;
  }): Promise<DeliveryResult>;
  /** A message shortcut (type "message_action", callback_id, trigger_id, response_url, message with its files, channel, user). */
  sendMessageShortcut(shortcut: {
    callbackId: string;
    userId: string;
    channelId: string;
    message: FakeSlackMessage;
    responseUrl?: string;
  }): Promise<DeliveryResult>;
  appMention(channel: string, message: FakeSlackMessage): Record<string, unknown>;
  directMessage(channel: string, message: FakeSlackMessage): Record<string, unknown>;

  // ---- Extras ----
  /** A `message` event in a public channel (channel_type "channel"); file_share subtype when it has files. */
  channelMessage(channel: string, message: FakeSlackMessage): Record<string, unknown>;
  /** A `message` event with subtype "bot_message" (use the fake's botId to simulate the app's own post). */
  botMessage(channel: string, message: FakeSlackMessage): Record<string, unknown>;
  /** A `message` event with subtype "message_changed" carrying the edited message and the previous one. */
  messageChanged(channel: string, message: FakeSlackMessage, previous: FakeSlackMessage): Record<string, unknown>;
  /** POSTs any body signed (or signed with `signingSecret` when given), for receiver edge cases. */
  sendSigned(
    body: string,
    contentType: string,
    options?: { timestampSeconds?: number; headers?: Record<string, string> },
  ): Promise<DeliveryResult>;
  /** The event_id of the last sendEvent (to replay it as a retry). */
  lastEventId(): string | undefined;
}

function signature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestampSeconds}:${body}`).digest("hex")}`;
}

function randomToken(prefix: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let text = prefix;
  for (const byte of randomBytes(length)) {
    text += alphabet[byte % alphabet.length];
  }
  return text;
}

/** Files as Slack puts them in events: the fake's own `access` switch is not part of the wire shape. */
function wireFiles(files: FakeSlackFile[] | undefined): Record<string, unknown>[] | undefined {
  return files?.map((file) => {
    const { access: _access, ...visible } = file;
    return { ...visible, mode: "hosted", is_external: false, permalink: `${file.url_private}#permalink` };
  });
}

export function createSlackDriver(options: { appUrl: string; fake: FakeSlack; signingSecret?: string }): SlackDriver {
  const { appUrl, fake } = options;
  const secret = options.signingSecret ?? fake.signingSecret;
  // Slack's verification token (deprecated but still sent in every payload).
  const verificationToken = "fake-verification-token";
  let lastEventId: string | undefined;

  async function post(
    body: string,
    contentType: string,
    timestampSeconds: number,
    headers: Record<string, string>,
  ): Promise<DeliveryResult> {
    const started = performance.now();
    const response = await fetch(appUrl, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "x-slack-request-timestamp": String(timestampSeconds),
        "x-slack-signature": signature(secret, timestampSeconds, body),
        ...headers,
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text, milliseconds: performance.now() - started };
  }

  function nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }

  function messageFields(channel: string, message: FakeSlackMessage): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      text: message.text,
      ts: message.ts,
      event_ts: message.ts,
      channel,
      team: fake.teamId,
    };
    if (message.user !== undefined) fields.user = message.user;
    if (message.bot_id !== undefined) fields.bot_id = message.bot_id;
    if (message.thread_ts !== undefined) fields.thread_ts = message.thread_ts;
    if (message.blocks !== undefined) fields.blocks = message.blocks;
    if (message.edited !== undefined) fields.edited = message.edited;
    const files = wireFiles(message.files);
    if (files !== undefined && files.length > 0) {
      fields.files = files;
      fields.upload = false;
      fields.display_as_bot = false;
    }
    if (message.user !== undefined && message.bot_id === undefined) {
      fields.client_msg_id = crypto.randomUUID();
    }
    return fields;
  }

  function messageEvent(channel: string, message: FakeSlackMessage, channelType: string): Record<string, unknown> {
    const event: Record<string, unknown> = {
      type: "message",
      ...messageFields(channel, message),
      channel_type: channelType,
    };
    const subtype =
      message.subtype ?? (message.files !== undefined && message.files.length > 0 ? "file_share" : undefined);
    if (subtype !== undefined) event.subtype = subtype;
    return event;
  }

  return {
    async sendEvent(event, eventOptions = {}) {
      const eventId = eventOptions.eventId ?? randomToken("Ev", 10);
      lastEventId = eventId;
      const envelope = {
        token: verificationToken,
        team_id: fake.teamId,
        context_team_id: fake.teamId,
        context_enterprise_id: null,
        api_app_id: fake.appId,
        event,
        type: "event_callback",
        event_id: eventId,
        event_time: nowSeconds(),
        authorizations: [
          {
            enterprise_id: null,
            team_id: fake.teamId,
            user_id: fake.botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${Buffer.from(JSON.stringify({ event_id: eventId, team: fake.teamId })).toString("base64url")}`,
      };
      const headers: Record<string, string> = {};
      if (eventOptions.retryNum !== undefined) headers["x-slack-retry-num"] = String(eventOptions.retryNum);
      if (eventOptions.retryReason !== undefined) headers["x-slack-retry-reason"] = eventOptions.retryReason;
      return post(JSON.stringify(envelope), "application/json", eventOptions.timestampSeconds ?? nowSeconds(), headers);
    },

    sendSlashCommand(command) {
      const form = new URLSearchParams({
        token: verificationToken,
        team_id: fake.teamId,
        team_domain: "glance-fake",
        channel_id: command.channelId,
        channel_name: command.channelId.toLowerCase(),
        user_id: command.userId,
        user_name: command.userId.toLowerCase(),
        command: command.command,
        text: command.text,
        api_app_id: fake.appId,
        is_enterprise_install: "false",
        response_url: command.responseUrl ?? fake.responseUrl(),
        trigger_id: `${Date.now()}.${randomToken("", 12)}`,
      });
      return post(form.toString(), "application/x-www-form-urlencoded", nowSeconds(), {});
    },

    sendMessageShortcut(shortcut) {
      const message: Record<string, unknown> = {
        type: "message",
        ...messageFields(shortcut.channelId, shortcut.message),
      };
      delete message.channel;
      delete message.event_ts;
      const payload = {
        type: "message_action",
        token: verificationToken,
        action_ts: `${nowSeconds()}.${String(Date.now() % 1_000_000).padStart(6, "0")}`,
        team: { id: fake.teamId, domain: "glance-fake" },
        user: {
          id: shortcut.userId,
          username: shortcut.userId.toLowerCase(),
          team_id: fake.teamId,
          name: shortcut.userId.toLowerCase(),
        },
        channel: { id: shortcut.channelId, name: shortcut.channelId.toLowerCase() },
        is_enterprise_install: false,
        enterprise: null,
        callback_id: shortcut.callbackId,
        trigger_id: `${Date.now()}.${randomToken("", 12)}`,
        response_url: shortcut.responseUrl ?? fake.responseUrl(),
        message_ts: shortcut.message.ts,
        message,
      };
      const form = new URLSearchParams({ payload: JSON.stringify(payload) });
      return post(form.toString(), "application/x-www-form-urlencoded", nowSeconds(), {});
    },

    appMention(channel, message) {
      return { type: "app_mention", ...messageFields(channel, message) };
    },

    directMessage(channel, message) {
      return messageEvent(channel, message, "im");
    },

    channelMessage(channel, message) {
      return messageEvent(channel, message, "channel");
    },

    botMessage(channel, message) {
      const event = messageEvent(
        channel,
        { ...message, bot_id: message.bot_id ?? fake.botId },
        channel.startsWith("D") ? "im" : "channel",
      );
      event.subtype = "bot_message";
      return event;
    },

    messageChanged(channel, message, previous) {
      return {
        type: "message",
        subtype: "message_changed",
        hidden: true,
        channel,
        channel_type: channel.startsWith("D") ? "im" : "channel",
        ts: `${nowSeconds()}.${String(Date.now() % 1_000_000).padStart(6, "0")}`,
        event_ts: `${nowSeconds()}.${String(Date.now() % 1_000_000).padStart(6, "0")}`,
        message: { type: "message", ...messageFields(channel, message) },
        previous_message: { type: "message", ...messageFields(channel, previous) },
      };
    },

    sendSigned(body, contentType, signedOptions = {}) {
      return post(body, contentType, signedOptions.timestampSeconds ?? nowSeconds(), signedOptions.headers ?? {});
    },

    lastEventId() {
      return lastEventId;
    },
  };
}
