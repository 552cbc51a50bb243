/*
 * The fake Slack's chat methods: posting, updating, deleting and ephemeral messages
 * (https://docs.slack.dev/reference/methods/chat.postMessage, chat.update, chat.delete,
 * chat.postEphemeral) and streamed messages (chat.startStream, chat.appendStream, chat.stopStream:
 * https://docs.slack.dev/reference/methods/chat.startStream). Errors are Slack's: no_text,
 * msg_too_long, message_not_found, cant_update_message, cant_delete_message,
 * message_not_in_streaming_state, markdown_text_conflict, and the two below.
 *
 * Streams, as Slack documents them (the method pages' error lists, mirrored in
 * github.com/slack-ruby/slack-api-ref methods/chat/*.json, updated 2026-08-20):
 * - chat.update of a message that is still streaming answers `streaming_state_conflict` ("The message
 *   is currently streaming text and cannot be edited.", docs.slack.dev/reference/methods/chat.update):
 *   a stream must be stopped (chat.stopStream) before its message can be edited.
 * - chat.startStream outside a DM needs `recipient_user_id` and `recipient_team_id` ("Required when
 *   streaming to channels"), else `missing_recipient_user_id` / `missing_recipient_team_id`
 *   (docs.slack.dev/reference/methods/chat.startStream).
 * - chat.update keeps a message's blocks when the call carries none ("If you don't include this field,
 *   the message's previous blocks will be retained. To remove previous blocks, include an empty array",
 *   the `blocks` argument of chat.update in Slack's OpenAPI spec). A streamed message's content is
 *   Markdown, not the `text` field, so the fake keeps it as a `markdown` block: an edit that sends only
 *   `text` leaves the streamed text showing, as an edit of any message with blocks does.
 */
import { publicMessage, type SlackWorkspace } from "./slack-state.js";
import type { FakeSlackEphemeral, FakeSlackMessage } from "./slack-types.js";
import {
  failure,
  findMessage,
  isChannel,
  type MethodResult,
  type MethodTable,
  readableChannel,
} from "./slack-web-api.js";
import { stringArgument, structuredArgument } from "./slack-wire.js";

/** The fake's limit on a message's text: longer text answers msg_too_long. */
const textLimit = 4_000;
/** The fake's limit on the markdown one stream call carries: more answers msg_too_long. */
const streamChunkLimit = 12_000;

function textTooLong(text: string | undefined): boolean {
  return text !== undefined && text.length > textLimit;
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

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}

/** How the fake stores Markdown a message shows (streamed, or sent as markdown_text): one markdown block. */
function streamedBlocks(markdown: string): unknown[] {
  return [{ type: "markdown", text: markdown }];
}

/**
 * What a message shows: the text of its markdown blocks when it has any (streamed text), else its
 * `text`. Tests read this to see whether an edit replaced the streamed text or left it showing.
 */
export function shownText(message: FakeSlackMessage): string {
  const markdownBlocks = (message.blocks ?? []).filter(
    (block): block is { type: "markdown"; text: string } =>
      typeof block === "object" &&
      block !== null &&
      (block as { type?: unknown }).type === "markdown" &&
      typeof (block as { text?: unknown }).text === "string",
  );
  return markdownBlocks.length > 0 ? markdownBlocks.map((block) => block.text).join("\n") : message.text;
}

export function chatMethods(workspace: SlackWorkspace): MethodTable {
  const { botUserId, botId } = workspace.identity;

  function continueStream(argumentsGiven: Record<string, unknown>, nextState: "streaming" | "stopped"): MethodResult {
    const channel = readableChannel(workspace, argumentsGiven);
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
    message.blocks = streamedBlocks(message.text);
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

  return {
    "chat.postMessage": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
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
        ts: workspace.nextTs(),
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
      workspace.insertMessage(channel, message);
      return { ok: true, channel: channel.id, ts: message.ts, message: publicMessage(message, channel) };
    },

    "chat.update": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
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
      if (message.stream_state === "streaming") {
        return failure("streaming_state_conflict");
      }
      const text = stringArgument(argumentsGiven, "text");
      const markdown = stringArgument(argumentsGiven, "markdown_text");
      const blocks = structuredArgument(argumentsGiven, "blocks");
      if (markdown !== undefined && (text !== undefined || blocks !== undefined)) {
        return failure("markdown_text_conflict");
      }
      if (textTooLong(text) || (markdown !== undefined && markdown.length > streamChunkLimit)) {
        return failure("msg_too_long");
      }
      if (markdown !== undefined) {
        message.text = markdown;
        message.blocks = streamedBlocks(markdown);
      }
      if (text !== undefined) {
        message.text = text;
      }
      if (Array.isArray(blocks)) {
        message.blocks = blocks;
      }
      if (message.blocks?.length === 0) {
        delete message.blocks;
      }
      message.edited = { user: botUserId, ts: workspace.nextTs() };
      return {
        ok: true,
        channel: channel.id,
        ts: message.ts,
        text: message.text,
        message: publicMessage(message, channel),
      };
    },

    "chat.postEphemeral": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
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
      const ephemeral: FakeSlackEphemeral = {
        channel: channel.id,
        user,
        text: text ?? "",
        message_ts: workspace.nextTs(),
      };
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      if (threadTs !== undefined && threadTs !== "") {
        ephemeral.thread_ts = threadTs;
      }
      if (Array.isArray(blocks)) {
        ephemeral.blocks = blocks;
      }
      workspace.ephemerals.push(ephemeral);
      return { ok: true, message_ts: ephemeral.message_ts };
    },

    "chat.delete": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
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

    "chat.startStream": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
      if (!isChannel(channel)) {
        return channel;
      }
      // Outside a DM a stream is for one reader, named by user and by that user's own team.
      if (!channel.isIm) {
        if (!nonEmpty(stringArgument(argumentsGiven, "recipient_user_id"))) {
          return failure("missing_recipient_user_id");
        }
        if (!nonEmpty(stringArgument(argumentsGiven, "recipient_team_id"))) {
          return failure("missing_recipient_team_id");
        }
      }
      const markdown = stringArgument(argumentsGiven, "markdown_text") ?? "";
      const text = markdown + chunksText(structuredArgument(argumentsGiven, "chunks"));
      if (text.length > streamChunkLimit) {
        return failure("msg_too_long");
      }
      const message: FakeSlackMessage = {
        ts: workspace.nextTs(),
        channel: channel.id,
        user: botUserId,
        bot_id: botId,
        text,
        blocks: streamedBlocks(text),
        stream_state: "streaming",
      };
      const threadTs = stringArgument(argumentsGiven, "thread_ts");
      if (threadTs !== undefined && threadTs !== "") {
        message.thread_ts = threadTs;
      }
      workspace.insertMessage(channel, message);
      return { ok: true, channel: channel.id, ts: message.ts };
    },

    "chat.appendStream": (argumentsGiven) => continueStream(argumentsGiven, "streaming"),
    "chat.stopStream": (argumentsGiven) => continueStream(argumentsGiven, "stopped"),
  };
}

/** Ends streams as Slack does when they sit idle; later appends and stops answer message_not_in_streaming_state. */
export function expireStreams(workspace: SlackWorkspace, channelId: string, ts?: string): void {
  for (const message of workspace.channel(channelId)?.messages ?? []) {
    if (message.stream_state === "streaming" && (ts === undefined || message.ts === ts)) {
      message.stream_state = "expired";
    }
  }
}
