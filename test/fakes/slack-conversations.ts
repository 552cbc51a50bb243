/*
 * The fake Slack's conversations methods: history (newest first, top-level messages only), replies
 * (a thread, parent first), info and members (https://docs.slack.dev/reference/methods/conversations.history,
 * conversations.replies, conversations.info, conversations.members), with cursor pagination as
 * https://docs.slack.dev/apis/web-api/pagination describes: `limit`, an opaque `cursor`, and
 * response_metadata.next_cursor empty on the last page.
 */
import { type ChannelRecord, publicMessage, type SlackWorkspace } from "./slack-state.js";
import type { FakeSlackMessage } from "./slack-types.js";
import {
  failure,
  findMessage,
  isChannel,
  type MethodResult,
  type MethodTable,
  readableChannel,
} from "./slack-web-api.js";
import { stringArgument } from "./slack-wire.js";

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

export function conversationMethods(workspace: SlackWorkspace): MethodTable {
  const { botUserId, teamId } = workspace.identity;
  return {
    "conversations.history": (argumentsGiven) => {
      const channel = readableChannel(workspace, argumentsGiven);
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
      const channel = readableChannel(workspace, argumentsGiven);
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
      const channel = workspace.channel(stringArgument(argumentsGiven, "channel") ?? "");
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
      const channel = workspace.channel(stringArgument(argumentsGiven, "channel") ?? "");
      if (channel === undefined) {
        return failure("channel_not_found");
      }
      const members = channel.botIsMember ? [...channel.members, botUserId] : [...channel.members];
      return { ok: true, members, response_metadata: { next_cursor: "" } };
    },
  };
}
