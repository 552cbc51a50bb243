/*
 * A fake Slack: a real HTTP server on 127.0.0.1 serving the Web API methods the bot calls, the
 * private file URLs (bearer token checked), upload URLs and response_url endpoints, plus a second
 * origin standing in for Slack's cross-origin file CDN. Answers follow Slack's semantics: HTTP 200
 * with {ok:true,...} or {ok:false,error}, 429 with retry-after only when scripted.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  bearerToken,
  loginPage,
  parseArguments,
  parseUploadedBytes,
  readBody,
  sendJson,
  sendText,
  stringArgument,
  structuredArgument,
} from "./slack-wire.js";

export interface FakeSlackFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  size: number;
  /** Served by the fake; needs "Authorization: Bearer <botToken>". */
  url_private: string;
  url_private_download: string;
  user: string;
  created: number;
  /** Set to simulate: "html" answers an HTML login page with 200 (as Slack does without files:read or channel access); "redirect" answers 302 to the fake's second origin (cross-origin CDN host) that must receive NO Authorization header; "other-workspace" answers 403/404. */
  access?: "ok" | "html" | "redirect" | "other-workspace";
}

export interface FakeSlackMessage {
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text: string;
  thread_ts?: string;
  files?: FakeSlackFile[];
  subtype?: string;
  edited?: { user: string; ts: string };
  blocks?: unknown[];
  /** Extra: state of a message made by chat.startStream. */
  stream_state?: "streaming" | "stopped" | "expired";
}

export interface FakeSlackAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  delayMilliseconds?: number;
  landAnyway?: boolean;
  /** Lets this many calls of the method through normally before the answer applies (default 0). */
  afterCalls?: number;
}

/** Extra: every request to a file URL, on either origin, and what the fake saw and answered. */
export interface FakeSlackFileRequest {
  fileId: string;
  host: "files" | "cdn";
  authorization: string | undefined;
  status: number;
}

/** Extra: chat.postEphemeral messages (never in messages(), as in Slack). */
export interface FakeSlackEphemeral {
  channel: string;
  user: string;
  text: string;
  thread_ts?: string;
  blocks?: unknown[];
  message_ts: string;
}

export interface FakeSlack {
  /** e.g. "http://127.0.0.1:PORT/api/" — SLACK_API_URL (trailing slash, as WebClient's slackApiUrl expects). */
  apiUrl: string;
  /** Origin of url_private, e.g. "http://127.0.0.1:PORT". */
  fileHostUrl: string;
  /** A SECOND origin (another port) that redirects land on; records whether an Authorization header arrived. */
  cdnUrl: string;
  /** "xoxb-fake-..." the only token accepted by Web API and file URLs. */
  botToken: string;
  signingSecret: string;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** `members`: the user ids conversations.members lists (the bot is added when it is a member). */
  addChannel(channel: {
    id: string;
    name: string;
    isPrivate?: boolean;
    isIm?: boolean;
    botIsMember?: boolean;
    members?: string[];
  }): void;
  addUser(user: { id: string; name: string }): void;
  /** Stores a file and returns it with url_private/url_private_download pointing at the fake. */
  addFile(file: {
    name: string;
    mimetype: string;
    content: Buffer;
    user: string;
    access?: FakeSlackFile["access"];
  }): FakeSlackFile;
  /** Adds a user's message to channel history (what conversations.history/replies return) and returns it; ts auto-generated if absent. Does NOT send an event — use the driver for that. */
  postUserMessage(
    channel: string,
    message: { user: string; text: string; ts?: string; thread_ts?: string; files?: FakeSlackFile[] },
  ): FakeSlackMessage;
  /** Live view of a channel's messages, bot posts and updates included (updates change text in place; streamed messages too). */
  messages(channel: string): FakeSlackMessage[];
  /** Every Web API call: method name, parsed arguments (JSON or form), time received. */
  calls: Array<{ method: string; arguments: Record<string, unknown>; receivedAt: number }>;
  /** Files the app uploaded (files.getUploadURLExternal + POST to the upload URL + files.completeUploadExternal), with their bytes and the channel/thread they were shared to. */
  uploads: Array<{
    id: string;
    filename: string;
    title?: string;
    content: Buffer;
    channel?: string;
    threadTs?: string;
    initialComment?: string;
  }>;
  /** Messages sent to response_url endpoints (slash commands, shortcuts). */
  responses: Array<{ url: string; body: Record<string, unknown> }>;
  /** Creates a response_url the driver can put in payloads. */
  responseUrl(): string;
  /** The next `times` calls of `method` get this answer. A `delayMilliseconds` alone answers normally but late; with `landAnyway` the call's effect is stored at once, so a client that timed out still finds it landed. Without `landAnyway`, a delayed call whose client went away does not land. */
  failNext(method: string, answer: FakeSlackAnswer, times?: number): void;
  close(): Promise<void>;

  // ---- Extras (optional to use) ----
  /** Every request to a file URL (url_private or the CDN origin), with the Authorization header seen. */
  fileRequests: FakeSlackFileRequest[];
  /** chat.postEphemeral messages. */
  ephemerals: FakeSlackEphemeral[];
  /** Ends a chat.startStream message's streaming state, as Slack does when a stream sits idle; later appends/stops answer message_not_in_streaming_state. Without ts, every stream of the channel. */
  expireStream(channel: string, ts?: string): void;
  /** The permalink chat.getPermalink answers for a message, e.g. "https://glance-fake.slack.com/archives/C1/p1700000000000100". */
  permalink(channel: string, ts: string): string;
  /** Every Web API call of one method. */
  callsOf(method: string): Array<{ method: string; arguments: Record<string, unknown>; receivedAt: number }>;
  /** A stored file by id (those added and those uploaded). */
  file(id: string): FakeSlackFile | undefined;
}

interface ChannelRecord {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  botIsMember: boolean;
  members: string[];
  messages: FakeSlackMessage[];
}

interface StoredFile {
  file: FakeSlackFile;
  content: Buffer;
}

interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  content: Buffer | undefined;
}

interface ScriptedAnswer {
  answer: FakeSlackAnswer;
  remaining: number;
  skip: number;
}

/** The result of one Web API method: what Slack would answer. */
type MethodResult = Record<string, unknown>;

const textLimit = 4_000;
const streamChunkLimit = 12_000;
const workspaceUrl = "https://glance-fake.slack.com/";

const extensionTypes: Record<string, string> = {
  png: "png",
  jpg: "jpg",
  jpeg: "jpg",
  gif: "gif",
  webp: "webp",
  heic: "heic",
  bmp: "bmp",
  tif: "tiff",
  tiff: "tiff",
  mp4: "mp4",
  mov: "mov",
  mkv: "mkv",
  webm: "webm",
  avi: "avi",
  flv: "flv",
  wmv: "wmv",
  txt: "text",
  pdf: "pdf",
};

/** Slack's `filetype` (a short type name) from the file name, else from the MIME subtype. */
function filetypeOf(name: string, mimetype: string): string {
  const extension = name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "";
  const known = extensionTypes[extension];
  if (known !== undefined) {
    return known;
  }
  return mimetype.split("/")[1] ?? "binary";
}

function randomId(prefix: string, length = 10): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) {
    id += alphabet[byte % alphabet.length];
  }
  return id;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Cursors are opaque to clients; Slack's are base64 too. */
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64");
}

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") {
    return 0;
  }
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The text a stream chunk list carries (only markdown_text chunks have text). */
function chunksText(chunks: unknown): string {
  if (!Array.isArray(chunks)) {
    return "";
  }
  let text = "";
  for (const chunk of chunks) {
    if (typeof chunk === "object" && chunk !== null && "text" in chunk && typeof chunk.text === "string") {
      text += chunk.text;
    }
  }
  return text;
}

/** A copy of a file without the fake's own `access` switch, as Slack would show it. */
function publicFile(file: FakeSlackFile): FakeSlackFile {
  const { access: _access, ...visible } = file;
  return visible;
}

function publicMessage(message: FakeSlackMessage, channel: ChannelRecord): Record<string, unknown> {
  const { stream_state: _state, channel: _channel, ...visible } = message;
  const replies = channel.messages.filter((other) => other.thread_ts === message.ts && other.ts !== message.ts);
  // Slack answers a message's text trimmed of trailing whitespace, whatever was sent.
  const shown: Record<string, unknown> = { type: "message", ...visible, text: message.text.trimEnd() };
  if (message.files !== undefined) {
    shown.files = message.files.map(publicFile);
  }
  if (replies.length > 0 && (message.thread_ts === undefined || message.thread_ts === message.ts)) {
    shown.thread_ts = message.ts;
    shown.reply_count = replies.length;
    shown.latest_reply = replies[replies.length - 1]?.ts;
  }
  return shown;
}

export async function startFakeSlack(options: { botToken?: string; signingSecret?: string } = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? `xoxb-fake-${randomBytes(12).toString("hex")}`;
  const signingSecret = options.signingSecret ?? randomBytes(16).toString("hex");
  const teamId = "T0FAKETEAM";
  const botUserId = "U0GLANCEBOT";
  const botId = "B0GLANCEBOT";
  const appId = "A0GLANCEAPP";

  const channels = new Map<string, ChannelRecord>();
  const users = new Map<string, { id: string; name: string }>();
  const files = new Map<string, StoredFile>();
  const pendingUploads = new Map<string, PendingUpload>();
  const scripted = new Map<string, ScriptedAnswer[]>();
  const calls: FakeSlack["calls"] = [];
  const uploads: FakeSlack["uploads"] = [];
  const responses: FakeSlack["responses"] = [];
  const fileRequests: FakeSlackFileRequest[] = [];
  const ephemerals: FakeSlackEphemeral[] = [];
  const responseUrls = new Set<string>();

  // Timestamps as Slack makes them: the posting time in seconds, then a per-second counter, so every
  // ts is unique, sorts in post order and says when the message was posted (clients search by time).
  let lastSecond = 0;
  let tsCounter = 0;
  function nextTs(): string {
    const second = Math.floor(Date.now() / 1000);
    if (second > lastSecond) {
      lastSecond = second;
      tsCounter = 0;
    }
    tsCounter += 1;
    return `${lastSecond}.${String(tsCounter).padStart(6, "0")}`;
  }

  const mainServer = createServer((request, response) => {
    handleMain(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, { ok: false, error: "fake_internal_error", detail: String(error) });
      }
    });
  });
  const cdnServer = createServer((request, response) => handleCdn(request, response));
  const mainPort = await listen(mainServer);
  const cdnPort = await listen(cdnServer);
  const fileHostUrl = `http://127.0.0.1:${mainPort}`;
  const cdnUrl = `http://127.0.0.1:${cdnPort}`;
  const apiUrl = `${fileHostUrl}/api/`;

  users.set(botUserId, { id: botUserId, name: "glance" });

  function channelRecord(id: string): ChannelRecord | undefined {
    return channels.get(id);
  }

  /** Test setup may post to a channel it never added: create it, a DM when the id starts with D. */
  function ensureChannel(id: string): ChannelRecord {
    const existing = channels.get(id);
    if (existing !== undefined) {
      return existing;
    }
    const created: ChannelRecord = {
      id,
      name: id.toLowerCase(),
      isPrivate: false,
      isIm: id.startsWith("D"),
      botIsMember: true,
      members: [],
      messages: [],
    };
    channels.set(id, created);
    return created;
  }

  function insertMessage(channel: ChannelRecord, message: FakeSlackMessage): void {
    channel.messages.push(message);
    channel.messages.sort((first, second) => Number(first.ts) - Number(second.ts));
  }

  function storeFile(file: {
    name: string;
    mimetype: string;
    content: Buffer;
    user: string;
    access?: FakeSlackFile["access"];
    title?: string;
    id?: string;
  }): FakeSlackFile {
    const id = file.id ?? randomId("F");
    const encodedName = encodeURIComponent(file.name);
    const stored: FakeSlackFile = {
      id,
      name: file.name,
      title: file.title ?? file.name,
      mimetype: file.mimetype,
      filetype: filetypeOf(file.name, file.mimetype),
      size: file.content.length,
      url_private: `${fileHostUrl}/files-pri/${teamId}-${id}/${encodedName}`,
      url_private_download: `${fileHostUrl}/files-pri/${teamId}-${id}/download/${encodedName}`,
      user: file.user,
      created: Math.floor(Date.now() / 1000),
    };
    if (file.access !== undefined) {
      stored.access = file.access;
    }
    files.set(id, { file: stored, content: file.content });
    return stored;
  }

  // ---- Web API ----

  function authorized(
    request: IncomingMessage,
    argumentsGiven: Record<string, unknown>,
  ): "ok" | "not_authed" | "invalid_auth" {
    const token = bearerToken(request) ?? stringArgument(argumentsGiven, "token");
    if (token === undefined || token === "") {
      return "not_authed";
    }
    return token === botToken ? "ok" : "invalid_auth";
  }

  function failure(error: string, extras: Record<string, unknown> = {}): MethodResult {
    return { ok: false, error, ...extras };
  }

  /** The channel a method addresses, or the Slack error for it. */
  function readableChannel(argumentsGiven: Record<string, unknown>, name = "channel"): ChannelRecord | MethodResult {
    const id = stringArgument(argumentsGiven, name);
    if (id === undefined || id === "") {
      return failure("channel_not_found");
    }
    const channel = channelRecord(id);
    if (channel === undefined) {
      return failure("channel_not_found");
    }
    if (!channel.isIm && !channel.botIsMember) {
      return failure("not_in_channel");
    }
    return channel;
  }

  function isChannel(value: ChannelRecord | MethodResult): value is ChannelRecord {
    return "messages" in value && Array.isArray(value.messages);
  }

  function findMessage(channel: ChannelRecord, ts: string | undefined): FakeSlackMessage | undefined {
    return ts === undefined ? undefined : channel.messages.find((message) => message.ts === ts);
  }

  function textTooLong(text: string | undefined): boolean {
    return text !== undefined && text.length > textLimit;
  }

  const methods: Record<string, (argumentsGiven: Record<string, unknown>) => MethodResult> = {
    "auth.test": () => ({
      ok: true,
      url: workspaceUrl,
      team: "Glance Fake",
      user: "glance",
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: false,
    }),

    "chat.postMessage": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const text = stringArgument(argumentsGiven, "text");
      const blocks = structuredArgument(argumentsGiven, "blocks");
      if ((text === undefined || text === "") && !Array.isArray(blocks)) {
        return failure("no_text");
      }
      if (textTooLong(text)) {
        return failure("msg_too_long");
      }
      const message: FakeSlackMessage = {
        ts: nextTs(),
        channel: channel.id,
        user: botUserId,
        bot_id: botId,
        text: text ?? "",
      };
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      if (threadTs !== undefined && threadTs !== "") {
        message.thread_ts = threadTs;
      }
      if (Array.isArray(blocks)) {
        message.blocks = blocks;
      }
      insertMessage(channel, message);
      return { ok: true, channel: channel.id, ts: message.ts, message: publicMessage(message, channel) };
    },

    "chat.update": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const message = findMessage(channel, stringArgument(argumentsGiven, "ts"));
      if (message === undefined) {
        return failure("message_not_found");
      }
      if (message.bot_id !== botId) {
        return failure("cant_update_message");
      }
      const text = stringArgument(argumentsGiven, "text");
      const blocks = structuredArgument(argumentsGiven, "blocks");
      if (textTooLong(text)) {
        return failure("msg_too_long");
      }
      if (text !== undefined) {
        message.text = text;
      }
      if (Array.isArray(blocks)) {
        message.blocks = blocks;
      }
      message.edited = { user: botUserId, ts: nextTs() };
      return {
        ok: true,
        channel: channel.id,
        ts: message.ts,
        text: message.text,
        message: publicMessage(message, channel),
      };
    },

    "chat.postEphemeral": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const user = stringArgument(argumentsGiven, "user");
      if (user === undefined || user === "") {
        return failure("user_not_found");
      }
      const text = stringArgument(argumentsGiven, "text");
      const blocks = structuredArgument(argumentsGiven, "blocks");
      if ((text === undefined || text === "") && !Array.isArray(blocks)) {
        return failure("no_text");
      }
      if (textTooLong(text)) {
        return failure("msg_too_long");
      }
      const ephemeral: FakeSlackEphemeral = { channel: channel.id, user, text: text ?? "", message_ts: nextTs() };
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      if (threadTs !== undefined && threadTs !== "") {
        ephemeral.thread_ts = threadTs;
      }
      if (Array.isArray(blocks)) {
        ephemeral.blocks = blocks;
      }
      ephemerals.push(ephemeral);
      return { ok: true, message_ts: ephemeral.message_ts };
    },

    "chat.delete": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const message = findMessage(channel, stringArgument(argumentsGiven, "ts"));
      if (message === undefined) {
        return failure("message_not_found");
      }
      if (message.bot_id !== botId) {
        return failure("cant_delete_message");
      }
      channel.messages.splice(channel.messages.indexOf(message), 1);
      return { ok: true, channel: channel.id, ts: message.ts };
    },

    "chat.getPermalink": (argumentsGiven) => {
      const id = stringArgument(argumentsGiven, "channel") ?? "";
      const channel = channelRecord(id);
      if (channel === undefined) {
        return failure("channel_not_found");
      }
      const message = findMessage(channel, stringArgument(argumentsGiven, "message_ts"));
      if (message === undefined) {
        return failure("message_not_found");
      }
      return { ok: true, channel: channel.id, permalink: permalinkOf(channel.id, message.ts, message.thread_ts) };
    },

    "chat.startStream": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const markdown = stringArgument(argumentsGiven, "markdown_text") ?? "";
      const text = markdown + chunksText(structuredArgument(argumentsGiven, "chunks"));
      if (text.length > streamChunkLimit) {
        return failure("msg_too_long");
      }
      const message: FakeSlackMessage = {
        ts: nextTs(),
        channel: channel.id,
        user: botUserId,
        bot_id: botId,
        text,
        stream_state: "streaming",
      };
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      if (threadTs !== undefined && threadTs !== "") {
        message.thread_ts = threadTs;
      }
      insertMessage(channel, message);
      return { ok: true, channel: channel.id, ts: message.ts };
    },

    "chat.appendStream": (argumentsGiven) => continueStream(argumentsGiven, "streaming"),
    "chat.stopStream": (argumentsGiven) => continueStream(argumentsGiven, "stopped"),

    "conversations.history": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      // Newest first, top-level messages only (thread replies live in conversations.replies).
      const topLevel = channel.messages
        .filter((message) => message.thread_ts === undefined || message.thread_ts === message.ts)
        .reverse();
      return page(argumentsGiven, topLevel, channel, 100, "messages");
    },

    "conversations.replies": (argumentsGiven) => {
      const channel = readableChannel(argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      const ts = stringArgument(argumentsGiven, "ts");
      const parent = findMessage(channel, ts);
      if (parent === undefined) {
        return failure("thread_not_found");
      }
      const threadTs = parent.thread_ts ?? parent.ts;
      const thread = channel.messages.filter((message) => message.ts === threadTs || message.thread_ts === threadTs);
      return page(argumentsGiven, thread, channel, 1000, "messages");
    },

    "conversations.info": (argumentsGiven) => {
      const id = stringArgument(argumentsGiven, "channel") ?? "";
      const channel = channelRecord(id);
      if (channel === undefined) {
        return failure("channel_not_found");
      }
      return {
        ok: true,
        channel: {
          id: channel.id,
          name: channel.name,
          is_channel: !channel.isIm && !channel.isPrivate,
          is_group: channel.isPrivate,
          is_im: channel.isIm,
          is_private: channel.isPrivate || channel.isIm,
          is_member: channel.isIm || channel.botIsMember,
          is_archived: false,
          context_team_id: teamId,
        },
      };
    },

    "conversations.members": (argumentsGiven) => {
      const channel = channelRecord(stringArgument(argumentsGiven, "channel") ?? "");
      if (channel === undefined) {
        return failure("channel_not_found");
      }
      const members = channel.botIsMember ? [...channel.members, botUserId] : [...channel.members];
      return { ok: true, members, response_metadata: { next_cursor: "" } };
    },

    "users.info": (argumentsGiven) => {
      const user = users.get(stringArgument(argumentsGiven, "user") ?? "");
      if (user === undefined) {
        return failure("user_not_found");
      }
      const isBot = user.id === botUserId;
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: teamId,
          name: user.name,
          real_name: user.name,
          is_bot: isBot,
          deleted: false,
          tz: "Europe/London",
          profile: { display_name: user.name, real_name: user.name, ...(isBot ? { bot_id: botId } : {}) },
        },
      };
    },

    "files.info": (argumentsGiven) => {
      const stored = files.get(stringArgument(argumentsGiven, "file") ?? "");
      if (stored === undefined || stored.file.access === "other-workspace") {
        return failure("file_not_found");
      }
      return { ok: true, file: publicFile(stored.file), comments: [], response_metadata: { next_cursor: "" } };
    },

    "files.getUploadURLExternal": (argumentsGiven) => {
      const filename = stringArgument(argumentsGiven, "filename");
      const length = Number(stringArgument(argumentsGiven, "length"));
      if (filename === undefined || filename === "") {
        return failure("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: filename"] },
        });
      }
      if (!Number.isInteger(length) || length < 1) {
        return failure("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: length"] },
        });
      }
      const id = randomId("F");
      pendingUploads.set(id, { id, filename, length, content: undefined });
      return { ok: true, upload_url: `${fileHostUrl}/upload/v1/${id}`, file_id: id };
    },

    "files.completeUploadExternal": (argumentsGiven) => {
      const listed = structuredArgument(argumentsGiven, "files");
      if (!Array.isArray(listed) || listed.length === 0) {
        return failure("invalid_arguments");
      }
      const channelId = stringArgument(argumentsGiven, "channel_id") ?? stringArgument(argumentsGiven, "channels");
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      const initialComment = stringArgument(argumentsGiven, "initial_comment");
      let channel: ChannelRecord | undefined;
      if (channelId !== undefined && channelId !== "") {
        const found = readableChannel({ channel: channelId });
        if (!isChannel(found)) {
          return found;
        }
        channel = found;
      }
      const pending: Array<{ upload: PendingUpload; title: string | undefined }> = [];
      for (const entry of listed) {
        const id = typeof entry === "object" && entry !== null && "id" in entry ? String(entry.id) : "";
        const upload = pendingUploads.get(id);
        if (upload?.content === undefined) {
          return failure("file_not_found");
        }
        const title =
          typeof entry === "object" && entry !== null && "title" in entry && typeof entry.title === "string"
            ? entry.title
            : undefined;
        pending.push({ upload, title });
      }
      const completed: FakeSlackFile[] = [];
      for (const { upload, title } of pending) {
        const content = upload.content ?? Buffer.alloc(0);
        pendingUploads.delete(upload.id);
        const file = storeFile({
          id: upload.id,
          name: upload.filename,
          title: title ?? upload.filename,
          mimetype: mimetypeOf(upload.filename),
          content,
          user: botUserId,
        });
        completed.push(file);
        const record: FakeSlack["uploads"][number] = { id: upload.id, filename: upload.filename, content };
        if (title !== undefined) record.title = title;
        if (channel !== undefined) record.channel = channel.id;
        if (threadTs !== undefined && threadTs !== "") record.threadTs = threadTs;
        if (initialComment !== undefined) record.initialComment = initialComment;
        uploads.push(record);
      }
      if (channel !== undefined) {
        // Sharing a file posts a message carrying it, in the thread when one was given.
        const message: FakeSlackMessage = {
          ts: nextTs(),
          channel: channel.id,
          user: botUserId,
          bot_id: botId,
          text: initialComment ?? "",
          files: completed,
          subtype: "file_share",
        };
        if (threadTs !== undefined && threadTs !== "") {
          message.thread_ts = threadTs;
        }
        insertMessage(channel, message);
      }
      return { ok: true, files: completed.map((file) => ({ id: file.id, title: file.title })) };
    },
  };

  function mimetypeOf(filename: string): string {
    const type = filetypeOf(filename, "application/octet-stream");
    const images: Record<string, string> = {
      png: "image/png",
      jpg: "image/jpeg",
      gif: "image/gif",
      webp: "image/webp",
    };
    if (images[type] !== undefined) return images[type];
    if (type === "text") return "text/plain";
    if (type === "mp4") return "video/mp4";
    return "application/octet-stream";
  }

  function continueStream(argumentsGiven: Record<string, unknown>, nextState: "streaming" | "stopped"): MethodResult {
    const channel = readableChannel(argumentsGiven);
    if (!isChannel(channel)) {
      return channel;
    }
    const message = findMessage(channel, stringArgument(argumentsGiven, "ts"));
    if (message === undefined) {
      return failure("message_not_found");
    }
    if (message.stream_state !== "streaming") {
      return failure("message_not_in_streaming_state");
    }
    const text =
      (stringArgument(argumentsGiven, "markdown_text") ?? "") +
      chunksText(structuredArgument(argumentsGiven, "chunks"));
    if (text.length > streamChunkLimit) {
      return failure("msg_too_long");
    }
    message.text += text;
    message.stream_state = nextState;
    const blocks = structuredArgument(argumentsGiven, "blocks");
    if (nextState === "stopped" && Array.isArray(blocks)) {
      message.blocks = blocks;
    }
    const result: MethodResult = { ok: true, channel: channel.id, ts: message.ts };
    if (nextState === "stopped") {
      result.message = publicMessage(message, channel);
    }
    return result;
  }

  function page(
    argumentsGiven: Record<string, unknown>,
    list: FakeSlackMessage[],
    channel: ChannelRecord,
    defaultLimit: number,
    key: string,
  ): MethodResult {
    const offset = decodeCursor(stringArgument(argumentsGiven, "cursor"));
    if (offset === undefined) {
      return failure("invalid_cursor");
    }
    const requested = Number(stringArgument(argumentsGiven, "limit") ?? defaultLimit);
    const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 1000) : defaultLimit;
    const slice = list.slice(offset, offset + limit);
    const hasMore = offset + limit < list.length;
    return {
      ok: true,
      [key]: slice.map((message) => publicMessage(message, channel)),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? encodeCursor(offset + limit) : "" },
    };
  }

  function permalinkOf(channel: string, ts: string, threadTs?: string): string {
    const base = `${workspaceUrl}archives/${channel}/p${ts.replace(".", "")}`;
    return threadTs !== undefined && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
  }

  function takeScripted(method: string): FakeSlackAnswer | undefined {
    const queue = scripted.get(method);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) {
      return undefined;
    }
    if (next.skip > 0) {
      next.skip -= 1;
      return undefined;
    }
    next.remaining -= 1;
    if (next.remaining <= 0) {
      queue.shift();
    }
    return next.answer;
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, method: string): Promise<void> {
    const raw = await readBody(request);
    const argumentsGiven = parseArguments(request, raw);
    calls.push({ method, arguments: argumentsGiven, receivedAt: Date.now() });
    let clientGone = false;
    response.on("close", () => {
      if (!response.writableFinished) clientGone = true;
    });

    const run = (): MethodResult => {
      const authorization = authorized(request, argumentsGiven);
      if (authorization !== "ok") {
        return failure(authorization);
      }
      const handler = methods[method];
      return handler === undefined ? failure("unknown_method") : handler(argumentsGiven);
    };

    const answer = takeScripted(method);
    if (answer === undefined) {
      sendJson(response, 200, run());
      return;
    }
    const scriptedOutcome = answer.status !== undefined || answer.body !== undefined;
    const landed = answer.landAnyway === true ? run() : undefined;
    if (answer.delayMilliseconds !== undefined) {
      const delay = answer.delayMilliseconds;
      // Ends early when the client goes away, so a test's long "hung" call does not hold close().
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        response.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (clientGone) {
      // The client gave up; whatever happens now nobody reads it. Without landAnyway nothing lands.
      return;
    }
    if (scriptedOutcome) {
      const status = answer.status ?? 200;
      const body =
        answer.body ?? (status === 429 ? { ok: false, error: "ratelimited" } : { ok: false, error: "internal_error" });
      sendJson(response, status, body, answer.headers ?? {});
      return;
    }
    sendJson(response, 200, landed ?? run(), answer.headers ?? {});
  }

  // ---- Files, uploads, response URLs ----

  function serveFile(request: IncomingMessage, response: ServerResponse, fileId: string): void {
    const authorization = request.headers.authorization;
    const record = (status: number): void => {
      fileRequests.push({ fileId, host: "files", authorization, status });
    };
    const stored = files.get(fileId);
    if (stored === undefined) {
      record(404);
      sendText(response, 404, "Not Found", "text/plain");
      return;
    }
    if (stored.file.access === "other-workspace") {
      record(403);
      sendText(response, 403, "Forbidden", "text/plain");
      return;
    }
    // Slack answers a missing or wrong token, and a file the token may not read, with its sign-in page.
    if (bearerToken(request) !== botToken || stored.file.access === "html") {
      record(200);
      sendText(response, 200, loginPage, "text/html; charset=utf-8");
      return;
    }
    if (stored.file.access === "redirect") {
      record(302);
      response.writeHead(302, {
        location: `${cdnUrl}/cdn/${fileId}/${encodeURIComponent(stored.file.name)}?sig=${randomBytes(8).toString("hex")}`,
      });
      response.end();
      return;
    }
    record(200);
    response.writeHead(200, { "content-type": stored.file.mimetype, "content-length": String(stored.content.length) });
    response.end(stored.content);
  }

  function handleCdn(request: IncomingMessage, response: ServerResponse): void {
    const match = /^\/cdn\/([^/]+)\//.exec(new URL(request.url ?? "/", cdnUrl).pathname);
    const fileId = match?.[1] ?? "";
    const stored = files.get(fileId);
    const status = stored === undefined ? 404 : 200;
    fileRequests.push({ fileId, host: "cdn", authorization: request.headers.authorization, status });
    if (stored === undefined) {
      sendText(response, 404, "Not Found", "text/plain");
      return;
    }
    response.writeHead(200, { "content-type": stored.file.mimetype, "content-length": String(stored.content.length) });
    response.end(stored.content);
  }

  async function handleUpload(request: IncomingMessage, response: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(request);
    const pending = pendingUploads.get(fileId);
    if (pending === undefined || request.method !== "POST") {
      sendText(response, 404, "Not Found", "text/plain");
      return;
    }
    pending.content = await parseUploadedBytes(request, raw);
    sendText(response, 200, `OK - ${pending.content.length}`, "text/plain");
  }

  async function handleResponseUrl(request: IncomingMessage, response: ServerResponse, url: string): Promise<void> {
    const raw = await readBody(request);
    if (!responseUrls.has(url)) {
      sendText(response, 404, "Not Found", "text/plain");
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        body = parsed as Record<string, unknown>;
      }
    } catch {
      sendJson(response, 400, { ok: false, error: "invalid_payload" });
      return;
    }
    responses.push({ url, body });
    sendJson(response, 200, { ok: true });
  }

  async function handleMain(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", fileHostUrl).pathname;
    const apiMatch = /^\/api\/([A-Za-z.]+)$/.exec(path);
    if (apiMatch?.[1] !== undefined) {
      await handleApi(request, response, apiMatch[1]);
      return;
    }
    const fileMatch = /^\/files-pri\/[A-Z0-9]+-([A-Z0-9]+)\//.exec(path);
    if (fileMatch?.[1] !== undefined && (request.method === "GET" || request.method === "HEAD")) {
      serveFile(request, response, fileMatch[1]);
      return;
    }
    const uploadMatch = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(path);
    if (uploadMatch?.[1] !== undefined) {
      await handleUpload(request, response, uploadMatch[1]);
      return;
    }
    if (path.startsWith("/commands/") && request.method === "POST") {
      await handleResponseUrl(request, response, `${fileHostUrl}${path}`);
      return;
    }
    sendText(response, 404, "Not Found", "text/plain");
  }

  const fake: FakeSlack = {
    apiUrl,
    fileHostUrl,
    cdnUrl,
    botToken,
    signingSecret,
    teamId,
    botUserId,
    botId,
    appId,
    calls,
    uploads,
    responses,
    fileRequests,
    ephemerals,

    addChannel(channel) {
      const existing = channels.get(channel.id);
      channels.set(channel.id, {
        id: channel.id,
        name: channel.name,
        isPrivate: channel.isPrivate ?? false,
        isIm: channel.isIm ?? false,
        botIsMember: channel.botIsMember ?? true,
        members: channel.members ?? existing?.members ?? [],
        messages: existing?.messages ?? [],
      });
    },

    addUser(user) {
      users.set(user.id, { id: user.id, name: user.name });
    },

    addFile(file) {
      return storeFile(file);
    },

    postUserMessage(channelId, message) {
      const channel = ensureChannel(channelId);
      const stored: FakeSlackMessage = {
        ts: message.ts ?? nextTs(),
        channel: channel.id,
        user: message.user,
        text: message.text,
      };
      if (message.thread_ts !== undefined) stored.thread_ts = message.thread_ts;
      if (message.files !== undefined && message.files.length > 0) {
        stored.files = message.files;
        stored.subtype = "file_share";
      }
      if (!users.has(message.user)) {
        users.set(message.user, { id: message.user, name: message.user.toLowerCase() });
      }
      insertMessage(channel, stored);
      return stored;
    },

    messages(channel) {
      return channels.get(channel)?.messages ?? [];
    },

    responseUrl() {
      const url = `${fileHostUrl}/commands/${teamId}/${Date.now()}${randomBytes(4).readUInt32BE()}/${randomBytes(12).toString("hex")}`;
      responseUrls.add(url);
      return url;
    },

    failNext(method, answer, times = 1) {
      const queue = scripted.get(method) ?? [];
      queue.push({ answer, remaining: times, skip: answer.afterCalls ?? 0 });
      scripted.set(method, queue);
    },

    expireStream(channelId, ts) {
      for (const message of channels.get(channelId)?.messages ?? []) {
        if (message.stream_state === "streaming" && (ts === undefined || message.ts === ts)) {
          message.stream_state = "expired";
        }
      }
    },

    permalink(channel, ts) {
      const message = channels.get(channel)?.messages.find((candidate) => candidate.ts === ts);
      return permalinkOf(channel, ts, message?.thread_ts);
    },

    callsOf(method) {
      return calls.filter((call) => call.method === method);
    },

    file(id) {
      return files.get(id)?.file;
    },

    async close() {
      await Promise.all([closeServer(mainServer), closeServer(cdnServer)]);
    },
  };
  return fake;
}
