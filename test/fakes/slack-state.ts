/*
 * The state of the fake Slack workspace: who the app is (tokens, team, bot and app ids), its channels
 * with their messages, users, stored files, uploads under way, and what Slack shows of a stored
 * message or file. Message timestamps are made as Slack makes them (see nextTs); message and file
 * shapes follow https://docs.slack.dev/reference/objects/message-object and
 * https://docs.slack.dev/reference/objects/file-object.
 */
import { randomBytes } from "node:crypto";
import type {
  FakeSlackEphemeral,
  FakeSlackFile,
  FakeSlackMessage,
  FakeSlackOptions,
  FakeSlackUpload,
} from "./slack-types.js";

/** Who the app is in the fake workspace, and the credentials the fake accepts. */
export interface SlackIdentity {
  botToken: string;
  appToken: string;
  signingSecret: string;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** The workspace's own URL, as auth.test answers it and permalinks start. */
  workspaceUrl: string;
}

export interface ChannelRecord {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  botIsMember: boolean;
  members: string[];
  messages: FakeSlackMessage[];
}

export interface SlackUser {
  id: string;
  name: string;
  /** The user's own workspace when it is not the app's: a Slack Connect user from another organization. */
  teamId?: string;
}

export interface StoredFile {
  file: FakeSlackFile;
  content: Buffer;
}

/** A file between files.getUploadURLExternal and files.completeUploadExternal. */
export interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  content: Buffer | undefined;
}

const appId = "A0GLANCEAPP";

export function slackIdentity(options: FakeSlackOptions): SlackIdentity {
  return {
    botToken: options.botToken ?? `xoxb-fake-${randomBytes(12).toString("hex")}`,
    // App-level tokens read "xapp-1-<app id>-<number>-<secret>".
    appToken:
      options.appToken ?? `xapp-1-${appId}-${String(Date.now()).padStart(13, "0")}-${randomBytes(32).toString("hex")}`,
    signingSecret: options.signingSecret ?? randomBytes(16).toString("hex"),
    teamId: "T0FAKETEAM",
    botUserId: "U0GLANCEBOT",
    botId: "B0GLANCEBOT",
    appId,
    workspaceUrl: "https://glance-fake.slack.com/",
  };
}

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
export function filetypeOf(name: string, mimetype: string): string {
  const extension = name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "";
  const known = extensionTypes[extension];
  if (known !== undefined) {
    return known;
  }
  return mimetype.split("/")[1] ?? "binary";
}

/** The MIME type Slack gives an uploaded file, from its name. */
export function mimetypeOf(filename: string): string {
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

/** An id in Slack's style: a type letter, then upper-case letters and digits. */
export function randomId(prefix: string, length = 10): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) {
    id += alphabet[byte % alphabet.length];
  }
  return id;
}

/** A copy of a file without the fake's own `access` switch, as Slack would show it. */
export function publicFile(file: FakeSlackFile): FakeSlackFile {
  const { access: _access, ...visible } = file;
  return visible;
}

/** A message as the Web API shows it: the fake's own fields left out, thread fields on a thread's parent. */
export function publicMessage(message: FakeSlackMessage, channel: ChannelRecord): Record<string, unknown> {
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

export class SlackWorkspace {
  readonly channels = new Map<string, ChannelRecord>();
  readonly users = new Map<string, SlackUser>();
  readonly files = new Map<string, StoredFile>();
  readonly pendingUploads = new Map<string, PendingUpload>();
  readonly uploads: FakeSlackUpload[] = [];
  readonly ephemerals: FakeSlackEphemeral[] = [];
  private lastSecond = 0;
  private tsCounter = 0;

  constructor(
    readonly identity: SlackIdentity,
    /** Origin of url_private and upload URLs. */
    readonly fileHostUrl: string,
  ) {
    this.users.set(identity.botUserId, { id: identity.botUserId, name: "glance" });
  }

  /**
   * Timestamps as Slack makes them: the posting time in seconds, then a per-second counter, so every
   * ts is unique, sorts in post order and says when the message was posted (clients search by time).
   */
  nextTs(): string {
    const second = Math.floor(Date.now() / 1000);
    if (second > this.lastSecond) {
      this.lastSecond = second;
      this.tsCounter = 0;
    }
    this.tsCounter += 1;
    return `${this.lastSecond}.${String(this.tsCounter).padStart(6, "0")}`;
  }

  channel(id: string): ChannelRecord | undefined {
    return this.channels.get(id);
  }

  addChannel(channel: {
    id: string;
    name: string;
    isPrivate?: boolean;
    isIm?: boolean;
    botIsMember?: boolean;
    members?: string[];
  }): void {
    const existing = this.channels.get(channel.id);
    this.channels.set(channel.id, {
      id: channel.id,
      name: channel.name,
      isPrivate: channel.isPrivate ?? false,
      isIm: channel.isIm ?? false,
      botIsMember: channel.botIsMember ?? true,
      members: channel.members ?? existing?.members ?? [],
      messages: existing?.messages ?? [],
    });
  }

  /** Test setup may post to a channel it never added: create it, a DM when the id starts with D. */
  ensureChannel(id: string): ChannelRecord {
    const existing = this.channels.get(id);
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
    this.channels.set(id, created);
    return created;
  }

  addUser(user: SlackUser): void {
    this.users.set(user.id, {
      id: user.id,
      name: user.name,
      ...(user.teamId === undefined ? {} : { teamId: user.teamId }),
    });
  }

  insertMessage(channel: ChannelRecord, message: FakeSlackMessage): void {
    channel.messages.push(message);
    channel.messages.sort((first, second) => Number(first.ts) - Number(second.ts));
  }

  postUserMessage(
    channelId: string,
    message: { user: string; text: string; ts?: string; thread_ts?: string; files?: FakeSlackFile[] },
  ): FakeSlackMessage {
    const channel = this.ensureChannel(channelId);
    const stored: FakeSlackMessage = {
      ts: message.ts ?? this.nextTs(),
      channel: channel.id,
      user: message.user,
      text: message.text,
    };
    if (message.thread_ts !== undefined) stored.thread_ts = message.thread_ts;
    const userTeam = this.users.get(message.user)?.teamId;
    if (userTeam !== undefined) stored.user_team = userTeam;
    if (message.files !== undefined && message.files.length > 0) {
      stored.files = message.files;
      stored.subtype = "file_share";
    }
    if (!this.users.has(message.user)) {
      this.users.set(message.user, { id: message.user, name: message.user.toLowerCase() });
    }
    this.insertMessage(channel, stored);
    return stored;
  }

  storeFile(file: {
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
    const { teamId } = this.identity;
    const stored: FakeSlackFile = {
      id,
      name: file.name,
      title: file.title ?? file.name,
      mimetype: file.mimetype,
      filetype: filetypeOf(file.name, file.mimetype),
      size: file.content.length,
      url_private: `${this.fileHostUrl}/files-pri/${teamId}-${id}/${encodedName}`,
      url_private_download: `${this.fileHostUrl}/files-pri/${teamId}-${id}/download/${encodedName}`,
      user: file.user,
      created: Math.floor(Date.now() / 1000),
    };
    if (file.access !== undefined) {
      stored.access = file.access;
    }
    this.files.set(id, { file: stored, content: file.content });
    return stored;
  }
}
