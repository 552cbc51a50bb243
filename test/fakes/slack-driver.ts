/*
 * Delivers events, slash commands and shortcuts to an app's HTTP receiver the way Slack does:
 * the same envelopes and form bodies (built in slack-payloads.ts), a v0 HMAC-SHA256 signature over
 * "v0:{timestamp}:{raw body}" (https://docs.slack.dev/authentication/verifying-requests-from-slack),
 * and the retry headers Slack adds when it redelivers an event
 * (https://docs.slack.dev/apis/events-api/#retries). slack-socket-mode.ts delivers the same payloads
 * over Socket Mode.
 */
import { createHmac } from "node:crypto";
import type { FakeSlack, FakeSlackMessage } from "./slack.js";
import {
  eventCallback,
  messageEvent,
  messageFields,
  messageShortcutPayload,
  newEventId,
  slashCommandFields,
} from "./slack-payloads.js";

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

export function createSlackDriver(options: { appUrl: string; fake: FakeSlack; signingSecret?: string }): SlackDriver {
  const { appUrl, fake } = options;
  const secret = options.signingSecret ?? fake.signingSecret;
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

  return {
    async sendEvent(event, eventOptions = {}) {
      const eventId = eventOptions.eventId ?? newEventId();
      lastEventId = eventId;
      const envelope = eventCallback(fake, event, eventId);
      const headers: Record<string, string> = {};
      if (eventOptions.retryNum !== undefined) headers["x-slack-retry-num"] = String(eventOptions.retryNum);
      if (eventOptions.retryReason !== undefined) headers["x-slack-retry-reason"] = eventOptions.retryReason;
      return post(JSON.stringify(envelope), "application/json", eventOptions.timestampSeconds ?? nowSeconds(), headers);
    },

    sendSlashCommand(command) {
      const form = new URLSearchParams(slashCommandFields(fake, command, command.responseUrl ?? fake.responseUrl()));
      return post(form.toString(), "application/x-www-form-urlencoded", nowSeconds(), {});
    },

    sendMessageShortcut(shortcut) {
      const payload = messageShortcutPayload(fake, shortcut, shortcut.responseUrl ?? fake.responseUrl());
      const form = new URLSearchParams({ payload: JSON.stringify(payload) });
      return post(form.toString(), "application/x-www-form-urlencoded", nowSeconds(), {});
    },

    appMention(channel, message) {
      return { type: "app_mention", ...messageFields(fake, channel, message) };
    },

    directMessage(channel, message) {
      return messageEvent(fake, channel, message, "im");
    },

    channelMessage(channel, message) {
      return messageEvent(fake, channel, message, "channel");
    },

    botMessage(channel, message) {
      const event = messageEvent(
        fake,
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
        message: { type: "message", ...messageFields(fake, channel, message) },
        previous_message: { type: "message", ...messageFields(fake, channel, previous) },
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
