/*
 * The fake Slack's message permalinks: chat.getPermalink
 * (https://docs.slack.dev/reference/methods/chat.getPermalink) and the link itself, shaped as
 * Slack's are: <workspace>/archives/<channel>/p<ts without the dot>, and for a thread reply
 * ?thread_ts=<parent ts>&cid=<channel>.
 */
import type { SlackWorkspace } from "./slack-state.js";
import { failure, findMessage, type MethodTable } from "./slack-web-api.js";
import { stringArgument } from "./slack-wire.js";

export function permalinkOf(workspaceUrl: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${workspaceUrl}archives/${channel}/p${ts.replace(".", "")}`;
  return threadTs !== undefined && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

/** The permalink of a message the fake holds (a thread reply's carries its thread), or of any ts. */
export function messagePermalink(workspace: SlackWorkspace, channel: string, ts: string): string {
  const message = workspace.channel(channel)?.messages.find((candidate) => candidate.ts === ts);
  return permalinkOf(workspace.identity.workspaceUrl, channel, ts, message?.thread_ts);
}

export function permalinkMethods(workspace: SlackWorkspace): MethodTable {
  return {
    "chat.getPermalink": (argumentsGiven) => {
      const channel = workspace.channel(stringArgument(argumentsGiven, "channel") ?? "");
      if (channel === undefined) {
        return failure("channel_not_found");
      }
      const message = findMessage(channel, stringArgument(argumentsGiven, "message_ts"));
      if (message === undefined) {
        return failure("message_not_found");
      }
      return {
        ok: true,
        channel: channel.id,
        permalink: permalinkOf(workspace.identity.workspaceUrl, channel.id, message.ts, message.thread_ts),
      };
    },
  };
}
