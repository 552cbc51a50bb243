/*
 * The data model of the fake Slack: what tests put in (channels, users, files, messages), what the
 * fake records (Web API calls, uploads, file requests, ephemeral messages, response_url posts) and
 * the interface of the running fake. Re-exported by slack.ts, the fake's entry.
 */
import type { FakeRateLimit } from "./slack-rate-limits.js";
import type { FakeSocketMode } from "./slack-socket-mode.js";

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
  /**
   * The poster's own workspace when it is not the app's (Slack Connect): events then carry it as
   * `team`, `user_team` and `source_team` (AppMentionEvent in @slack/types 3.2.0, events/app.d.ts).
   */
  user_team?: string;
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

/** One Web API call as the fake received it. */
export interface FakeSlackCall {
  method: string;
  /** Parsed arguments: query string, then the JSON or form body. */
  arguments: Record<string, unknown>;
  receivedAt: number;
  /** Answered HTTP 429 by a rate limit set with `rateLimit` (not by a scripted answer). */
  rateLimited?: boolean;
}

/** A file the app uploaded, and where it was shared. */
export interface FakeSlackUpload {
  id: string;
  filename: string;
  title?: string;
  content: Buffer;
  channel?: string;
  threadTs?: string;
  initialComment?: string;
}

/** A message the app sent to a response_url. */
export interface FakeSlackResponse {
  url: string;
  body: Record<string, unknown>;
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

export interface FakeSlackOptions {
  botToken?: string;
  signingSecret?: string;
  appToken?: string;
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
  /** "xapp-1-..." the app-level token: the only token apps.connections.open accepts, and no other method does. */
  appToken: string;
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
  /** `teamId`: the user's own workspace, when it is another organization's (a Slack Connect user). */
  addUser(user: { id: string; name: string; teamId?: string }): void;
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
  calls: FakeSlackCall[];
  /** Files the app uploaded (files.getUploadURLExternal + POST to the upload URL + files.completeUploadExternal), with their bytes and the channel/thread they were shared to. */
  uploads: FakeSlackUpload[];
  /** Messages sent to response_url endpoints (slash commands, shortcuts). */
  responses: FakeSlackResponse[];
  /** Creates a response_url the driver can put in payloads. */
  responseUrl(): string;
  /** The next `times` calls of `method` get this answer. A `delayMilliseconds` alone answers normally but late; with `landAnyway` the call's effect is stored at once, so a client that timed out still finds it landed. Without `landAnyway`, a delayed call whose client went away does not land. */
  failNext(method: string, answer: FakeSlackAnswer, times?: number): void;
  /**
   * Limits `method` per workspace as Slack does (slack-rate-limits.ts): calls over the limit answer
   * 429 with Retry-After and do nothing, and are marked `rateLimited` in `calls`.
   */
  rateLimit(method: string, limit: FakeRateLimit): void;
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
  callsOf(method: string): FakeSlackCall[];
  /** A stored file by id (those added and those uploaded). */
  file(id: string): FakeSlackFile | undefined;
  /** The Socket Mode endpoint: apps.connections.open and the WebSocket it hands out (see slack-socket-mode.ts). */
  socketMode: FakeSocketMode;
}
