/*
 * What Slack sends to an app, shaped as Slack shapes it, whichever way it travels (a signed HTTP
 * POST from slack-driver.ts, or a Socket Mode envelope from slack-socket-mode.ts): the Events API's
 * event_callback wrapper (https://docs.slack.dev/apis/events-api/#callback-field), message events,
 * a slash command's fields (https://docs.slack.dev/interactivity/implementing-slash-commands) and a
 * message shortcut (https://api.slack.com/reference/interaction-payloads/shortcuts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { FakeSlackFile, FakeSlackMessage } from "./slack-types.js";

/** The workspace and app the payloads come from. */
export interface PayloadSource {
  teamId: string;
  appId: string;
  botUserId: string;
}

/** Slack's verification token (deprecated but still sent in every payload). */
const verificationToken = "fake-verification-token";

function randomToken(prefix: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  let text = prefix;
  for (const byte of randomBytes(length)) {
    text += alphabet[byte % alphabet.length];
  }
  return text;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A trigger_id, as interactive payloads and slash commands carry one. */
export function triggerId(): string {
  return `${Date.now()}.${randomToken("", 12)}`;
}

/** Files as Slack puts them in events: the fake's own `access` switch is not part of the wire shape. */
function wireFiles(files: FakeSlackFile[] | undefined): Record<string, unknown>[] | undefined {
  return files?.map((file) => {
    const { access: _access, ...visible } = file;
    return { ...visible, mode: "hosted", is_external: false, permalink: `${file.url_private}#permalink` };
  });
}

/** The fields a message carries in events and shortcut payloads. */
export function messageFields(
  source: PayloadSource,
  channel: string,
  message: FakeSlackMessage,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    text: message.text,
    ts: message.ts,
    event_ts: message.ts,
    channel,
    team: message.user_team ?? source.teamId,
  };
  if (message.user_team !== undefined) {
    fields.user_team = message.user_team;
    fields.source_team = message.user_team;
  }
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
    fields.client_msg_id = randomUUID();
  }
  return fields;
}

/** A `message` event; file_share subtype when it has files and no subtype of its own. */
export function messageEvent(
  source: PayloadSource,
  channel: string,
  message: FakeSlackMessage,
  channelType: string,
): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: "message",
    ...messageFields(source, channel, message),
    channel_type: channelType,
  };
  const subtype =
    message.subtype ?? (message.files !== undefined && message.files.length > 0 ? "file_share" : undefined);
  if (subtype !== undefined) event.subtype = subtype;
  return event;
}

export function newEventId(): string {
  return randomToken("Ev", 10);
}

/** The Events API's outer payload around one event. */
export function eventCallback(
  source: PayloadSource,
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: verificationToken,
    team_id: source.teamId,
    context_team_id: source.teamId,
    context_enterprise_id: null,
    api_app_id: source.appId,
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: nowSeconds(),
    authorizations: [
      {
        enterprise_id: null,
        team_id: source.teamId,
        user_id: source.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ event_id: eventId, team: source.teamId })).toString("base64url")}`,
  };
}

export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  channelId: string;
}

/** A slash command's fields: form-encoded over HTTP, a JSON object in a Socket Mode envelope. */
export function slashCommandFields(
  source: PayloadSource,
  command: SlashCommand,
  responseUrl: string,
): Record<string, string> {
  return {
    token: verificationToken,
    team_id: source.teamId,
    team_domain: "glance-fake",
    channel_id: command.channelId,
    channel_name: command.channelId.toLowerCase(),
    user_id: command.userId,
    user_name: command.userId.toLowerCase(),
    command: command.command,
    text: command.text,
    api_app_id: source.appId,
    is_enterprise_install: "false",
    response_url: responseUrl,
    trigger_id: triggerId(),
  };
}

export interface MessageShortcut {
  callbackId: string;
  userId: string;
  channelId: string;
  message: FakeSlackMessage;
}

/** A message shortcut's payload (type "message_action"), with the message it was used on. */
export function messageShortcutPayload(
  source: PayloadSource,
  shortcut: MessageShortcut,
  responseUrl: string,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    type: "message",
    ...messageFields(source, shortcut.channelId, shortcut.message),
  };
  delete message.channel;
  delete message.event_ts;
  return {
    type: "message_action",
    token: verificationToken,
    action_ts: `${nowSeconds()}.${String(Date.now() % 1_000_000).padStart(6, "0")}`,
    team: { id: source.teamId, domain: "glance-fake" },
    user: {
      id: shortcut.userId,
      username: shortcut.userId.toLowerCase(),
      team_id: source.teamId,
      name: shortcut.userId.toLowerCase(),
    },
    channel: { id: shortcut.channelId, name: shortcut.channelId.toLowerCase() },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: shortcut.callbackId,
    trigger_id: triggerId(),
    response_url: responseUrl,
    message_ts: shortcut.message.ts,
    message,
  };
}
