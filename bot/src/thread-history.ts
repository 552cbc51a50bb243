import type { ConversationTurn } from "@glance/core";
import type { WebClient } from "@slack/web-api";
import type { SlackFile } from "./slack-file.js";
import type { ThreadCache } from "./state/thread-cache.js";

/** One message of a thread as the bot remembers it. */
export interface ThreadMessage {
  ts: string;
  fromBot: boolean;
  text: string;
  files: SlackFile[];
}

/** Long enough to serve a conversation, short enough that edits elsewhere are picked up eventually. */
const threadCacheMilliseconds = 30 * 60 * 1000;
const maxThreadMessages = 200;

/**
 * The thread's messages, read once with conversations.replies and then kept in the thread cache: Slack
 * rate-limits that method hard for some apps, and the bot records its own answers as it posts them.
 */
export async function loadThread(
  client: WebClient,
  threads: ThreadCache,
  options: { channel: string; threadTs: string; botUserId: string | undefined; current: ThreadMessage },
): Promise<ThreadMessage[]> {
  const thread = { channel: options.channel, threadTs: options.threadTs };
  let messages = await threads.get(thread);
  if (messages === undefined) {
    messages = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.replies({
        channel: options.channel,
        ts: options.threadTs,
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const message of page.messages ?? []) {
        if (message.ts === undefined) continue;
        messages.push({
          ts: message.ts,
          fromBot:
            message.bot_id !== undefined || (options.botUserId !== undefined && message.user === options.botUserId),
          text: message.text ?? "",
          files: (message.files ?? []).filter((file): file is SlackFile => typeof file.id === "string") as SlackFile[],
        });
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined && messages.length < maxThreadMessages);
  }
  if (!messages.some((message) => message.ts === options.current.ts)) {
    messages = [...messages, options.current].sort((left, right) => Number(left.ts) - Number(right.ts));
  }
  await threads.set(thread, messages, threadCacheMilliseconds);
  return messages;
}

/** Records a message the bot posted (or a newer user message) in the cached thread. */
export async function rememberInThread(
  threads: ThreadCache,
  options: { channel: string; threadTs: string; messages: ThreadMessage[] },
): Promise<void> {
  const thread = { channel: options.channel, threadTs: options.threadTs };
  const known = (await threads.get(thread)) ?? [];
  const byTs = new Map(known.map((message) => [message.ts, message]));
  for (const message of options.messages) byTs.set(message.ts, message);
  const merged = [...byTs.values()].sort((left, right) => Number(left.ts) - Number(right.ts));
  await threads.set(thread, merged, threadCacheMilliseconds);
}

/**
 * Adds a message that arrived by event (one posted in the thread without a mention) to the cached
 * thread, so the next answer sees its text and files without reading the thread again. A thread that is
 * not cached needs nothing: the next answer reads it whole.
 */
export async function recordThreadMessage(
  threads: ThreadCache,
  options: { channel: string; threadTs: string; message: ThreadMessage },
): Promise<void> {
  if ((await threads.get({ channel: options.channel, threadTs: options.threadTs })) === undefined) return;
  await rememberInThread(threads, {
    channel: options.channel,
    threadTs: options.threadTs,
    messages: [options.message],
  });
}

/** The earlier turns, text only: the bot's messages are the assistant, everyone else the user. */
export function historyOf(messages: readonly ThreadMessage[], currentTs: string): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  for (const message of messages) {
    if (Number(message.ts) >= Number(currentTs)) break;
    const text = stripMentions(message.text);
    if (text === "") continue;
    const role = message.fromBot ? "assistant" : "user";
    const last = turns.at(-1);
    if (last !== undefined && last.role === role) {
      last.text += `\n\n${text}`;
    } else {
      turns.push({ role, text });
    }
  }
  // The request starts with the user: a leading assistant turn would only confuse the model.
  while (turns[0]?.role === "assistant") turns.shift();
  return turns;
}

export function stripMentions(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, "").trim();
}
