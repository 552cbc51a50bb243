import { setImmediate as nextTurnOfEventLoop } from "node:timers/promises";
import type { App } from "@slack/bolt";
import { answerQuestion } from "../answer-question.js";
import type { BotServices } from "../bot-services.js";
import { claimDelivery } from "../guardrails/event-dedup.js";
import type { SlackFile } from "../slack-file.js";
import { recordThreadMessage } from "../thread-history.js";

/** The fields of app_mention and message events the bot reads. */
interface RawMessageEvent {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
  edited?: unknown;
}

/** Subtypes that are a person writing: plain messages, uploads, and thread replies also sent to the channel. */
const answerableSubtypes = new Set<string | undefined>([undefined, "file_share", "thread_broadcast"]);

/**
 * Mentions in channels (app_mention, or a message event carrying the mention) and direct messages.
 * Bolt has already acknowledged the event; the work runs detached so the listener returns at once.
 */
export function registerMessageEvents(app: App, services: BotServices): void {
  app.event("app_mention", async ({ event, body, context }) => {
    dispatch(services, event as RawMessageEvent, eventIdOf(body), context, "mention");
  });
  app.event("message", async ({ event, body, context }) => {
    const raw = event as RawMessageEvent;
    const direct = raw.channel_type === "im";
    const mentioned = context.botUserId !== undefined && (raw.text ?? "").includes(`<@${context.botUserId}>`);
    if (!direct && !mentioned) {
      // message.channels/groups/mpim deliver every message of a channel: the bot answers none of them
      // without a mention, but remembers thread replies so a later question in the thread sees them.
      rememberThreadReply(services, raw, context.botUserId);
      return;
    }
    dispatch(services, raw, eventIdOf(body), context, direct ? "direct" : "mention");
  });
}

function rememberThreadReply(services: BotServices, event: RawMessageEvent, botUserId: string | undefined): void {
  if (event.bot_id !== undefined || !answerableSubtypes.has(event.subtype)) return;
  if (event.channel === undefined || event.ts === undefined || event.thread_ts === undefined) return;
  if (event.thread_ts === event.ts || (botUserId !== undefined && event.user === botUserId)) return;
  const { channel, ts, thread_ts: threadTs } = event;
  const files = event.files ?? [];
  services.track(
    recordThreadMessage(services.store, {
      channel,
      threadTs,
      message: { ts, fromBot: false, text: event.text ?? "", files },
    }),
  );
}

function dispatch(
  services: BotServices,
  event: RawMessageEvent,
  eventId: string | undefined,
  context: { botUserId?: string | undefined; teamId?: string | undefined },
  kind: "mention" | "direct",
): void {
  const { botUserId } = context;
  // No loops: never answer a bot (ourselves included), an edit, a deletion or any other system message.
  if (event.bot_id !== undefined || !answerableSubtypes.has(event.subtype) || event.edited !== undefined) return;
  if (event.user === undefined || event.channel === undefined || event.ts === undefined) return;
  if (botUserId !== undefined && event.user === botUserId) return;
  const { channel, ts, user } = event;
  services.track(
    (async () => {
      // Start the answer on a later turn of the event loop: in a burst, the requests Slack has already
      // sent are then all read and acknowledged first, instead of each one waiting behind the start of
      // every earlier answer (the download's setup, the store, the Slack calls).
      await nextTurnOfEventLoop();
      if (!(await claimDelivery(services.store, { eventId, channel, ts }))) {
        services.logger.debug(`Skipped a repeated delivery of ${channel}/${ts} (${kind}).`);
        return;
      }
      await answerQuestion(services, {
        channel,
        ts,
        threadTs: event.thread_ts,
        userId: user,
        text: event.text ?? "",
        files: event.files ?? [],
        botUserId,
        teamId: context.teamId,
      });
    })(),
  );
}

function eventIdOf(body: unknown): string | undefined {
  const eventId = (body as { event_id?: unknown }).event_id;
  return typeof eventId === "string" ? eventId : undefined;
}
