import { setImmediate as nextTurnOfEventLoop } from "node:timers/promises";
import { type App, type Middleware, type SlackEventMiddlewareArgs, subtype } from "@slack/bolt";
import type { BotServices } from "../bot-services.js";
import { claimDelivery } from "../guardrails/event-dedup.js";
import type { SlackFile } from "../slack-file.js";
import { recordThreadMessage } from "../thread-history.js";

/** The fields of app_mention and message events the bot reads (event payloads are data, checked here). */
interface RawMessageEvent {
  channel?: string;
  channel_type?: string;
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
  edited?: unknown;
  /** The poster's own team; in Slack Connect channels another organization's (AppMentionEvent in @slack/types). */
  user_team?: string;
  team?: string;
}

type MessageEventMiddleware = Middleware<SlackEventMiddlewareArgs<"message">>;

/** Plain messages: Bolt's subtype() matches one named subtype, and a person's plain message has none. */
const withoutSubtype: MessageEventMiddleware = async ({ message, next }) => {
  if (message.subtype === undefined) await next();
};

/**
 * Other apps' messages and mentions: two bots answering each other would never stop. This app's own
 * messages never get this far: Bolt's ignoreSelf (on in app.ts) drops them.
 */
async function skipOtherApps({ event, next }: { event: object; next: () => Promise<void> }): Promise<void> {
  if ((event as { bot_id?: unknown }).bot_id === undefined) await next();
}

/**
 * Mentions in channels (app_mention, or a message event carrying the mention) and direct messages.
 * Bolt has already acknowledged the event; the work runs detached so the listener returns at once.
 */
export function registerMessageEvents(app: App, services: BotServices): void {
  app.event("app_mention", skipOtherApps, async ({ event, body, context }) => {
    dispatch(services, event as RawMessageEvent, body.event_id, context, "mention");
  });
  const onMessage: MessageEventMiddleware = async ({ event, body, context }) => {
    const raw = event as RawMessageEvent;
    const direct = raw.channel_type === "im";
    const mentioned = context.botUserId !== undefined && (raw.text ?? "").includes(`<@${context.botUserId}>`);
    if (!direct && !mentioned) {
      // message.channels/groups/mpim deliver every message of a channel: the bot answers none of them
      // without a mention, but remembers thread replies so a later question in the thread sees them.
      rememberThreadReply(services, raw);
      return;
    }
    dispatch(services, raw, body.event_id, context, direct ? "direct" : "mention");
  };
  // A person writing: plain messages, uploads (file_share) and thread replies also sent to the channel
  // (thread_broadcast). Every other subtype (edits, deletions, joins, bot messages) reaches no listener.
  app.message(withoutSubtype, skipOtherApps, onMessage);
  app.message(subtype("file_share"), skipOtherApps, onMessage);
  app.message(subtype("thread_broadcast"), skipOtherApps, onMessage);
}

function rememberThreadReply(services: BotServices, event: RawMessageEvent): void {
  if (event.channel === undefined || event.ts === undefined || event.thread_ts === undefined) return;
  if (event.thread_ts === event.ts) return;
  const { channel, ts, thread_ts: threadTs } = event;
  const files = event.files ?? [];
  services.track(
    recordThreadMessage(services.state.threads, {
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
  // An edit that adds a mention is not a new question.
  if (event.edited !== undefined) return;
  if (event.user === undefined || event.channel === undefined || event.ts === undefined) return;
  const { channel, ts, user } = event;
  services.track(
    (async () => {
      // Start the answer on a later turn of the event loop: in a burst, the requests Slack has already
      // sent are then all read and acknowledged first, instead of each one waiting behind the start of
      // every earlier answer (the download's setup, the state, the Slack calls).
      await nextTurnOfEventLoop();
      try {
        if (!(await claimDelivery(services.state.claims, { eventId, channel, ts }))) {
          services.logger.debug(`Skipped a repeated delivery of ${channel}/${ts} (${kind}).`);
          return;
        }
        await services.answer({
          channel,
          ts,
          threadTs: event.thread_ts,
          userId: user,
          text: event.text ?? "",
          files: event.files ?? [],
          botUserId: context.botUserId,
          teamId: context.teamId,
          userTeamId: event.user_team ?? event.team,
        });
      } catch (error) {
        // The claim or the queue could not be reached (Redis down): the asker hears so instead of silence.
        services.logger.error(
          `Could not take the question ${channel}/${ts}: ${error instanceof Error ? error.message : String(error)}`,
        );
        await services.poster
          .post(
            { channel, threadTs: event.thread_ts ?? ts },
            ":warning: Something went wrong on my side before I could start on this. Ask again in a minute.",
          )
          .catch(() => {});
      }
    })(),
  );
}
