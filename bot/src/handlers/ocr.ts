import {
  buildChatRequest,
  describePrompt,
  fieldsPrompt,
  ocrPrompt,
  type PreparedMedia,
  prepareImage,
} from "@glance/core";
import type { App, RespondFn } from "@slack/bolt";
import { z } from "zod";
import { BotError } from "../bot-error.js";
import type { BotServices } from "../bot-services.js";
import { downloadImageLink, isSlackFileHost } from "../downloads.js";
import { errorReply } from "../error-replies.js";
import { budgetExhausted, failedBeforeOutput, reserveTokens } from "../guardrails/token-budget.js";
import { completeSlackFile, prepareSlackFile } from "../prepare-slack-media.js";
import { fileKindOf, type SlackFile } from "../slack-file.js";
import { markdownToMrkdwn, splitMessage } from "../slack-markdown.js";

/** What /ocr reads: a Slack file (downloaded with the bot token) or a public image URL (without it). */
type OcrSource = { kind: "slack"; file: SlackFile } | { kind: "url"; url: string };

/** Above this, shared text comes back as a snippet file rather than a message. */
const snippetThreshold = 2_500;

/** One private message's worth of text (Slack refuses message text above 4,000 characters). */
const privatePieceLimit = 3_500;

/** Slack accepts at most five messages per response_url. */
const responseUrlUses = 5;

/**
 * `/ocr` and the "extract_text" / "describe" message shortcuts. Both are acknowledged at once; the
 * reply goes to the response_url, ephemeral unless the user wrote "share".
 */
export function registerOcr(app: App, services: BotServices): void {
  app.command("/ocr", async ({ command, ack, respond }) => {
    await ack();
    const { share, argument } = splitShare(command.text);
    services.track(
      runOcr(services, respond, share, command.user_id, command.channel_id, async () => {
        const fieldsMatch = /^fields:(.*)$/is.exec(argument);
        const fields = fieldsMatch?.[1]
          ?.split(",")
          .map((field) => field.trim())
          .filter((field) => field !== "");
        if (fields !== undefined && fields.length === 0) {
          throw new BotError(
            "bad-input",
            "Name at least one field after `fields:`, e.g. `/ocr fields: Invoice number, Date, Total`.",
          );
        }
        const source = await findImage(services, {
          channel: command.channel_id,
          userId: command.user_id,
          argument: fields === undefined ? argument : "",
        });
        return { source, threadTs: undefined, fields };
      }),
    );
  });
  for (const callbackId of ["extract_text", "describe"] as const) {
    app.shortcut(callbackId, async ({ shortcut, ack, respond }) => {
      await ack();
      if (shortcut.type !== "message_action") return;
      const files = (shortcut.message.files ?? []) as SlackFile[];
      const threadTs = (shortcut.message as { thread_ts?: string }).thread_ts;
      services.track(
        runOcr(services, respond, false, shortcut.user.id, shortcut.channel.id, async () => {
          const completed = await Promise.all(files.map((file) => completeSlackFile(services, file)));
          const file = completed.find((candidate) => fileKindOf(candidate) === "image");
          if (file === undefined) throw new BotError("no-media", "That message has no image I can read.");
          // A long text goes to the message's thread, where the shortcut was used.
          return {
            source: { kind: "slack", file },
            threadTs: threadTs ?? shortcut.message.ts,
            fields: undefined,
            describe: callbackId === "describe",
          };
        }),
      );
    });
  }
}

async function runOcr(
  services: BotServices,
  respond: RespondFn,
  share: boolean,
  userId: string,
  channel: string,
  choose: () => Promise<{
    source: OcrSource;
    threadTs: string | undefined;
    fields: string[] | undefined;
    describe?: boolean;
  }>,
): Promise<void> {
  const responseType = share ? "in_channel" : "ephemeral";
  try {
    const limits = {
      userDailyTokens: services.config.userDailyTokens,
      channelDailyTokens: services.config.channelDailyTokens,
    };
    const exhausted = await budgetExhausted(services.store, limits, { userId, channel, now: services.now() });
    if (exhausted !== undefined) throw new BotError("budget", exhausted);
    const { source, threadTs, fields, describe } = await choose();
    const media: PreparedMedia =
      source.kind === "slack"
        ? await prepareSlackFile(services, source.file, { allowLongVideo: false })
        : await prepareImage(
            await downloadImageLink(source.url, {
              maxBytes: services.config.maxFileBytes,
              allowedOrigins: services.urlOrigins,
            }),
            { model: services.config.model, name: source.url.split("/").pop() || "image" },
          );
    const label = source.kind === "slack" ? (source.file.name ?? source.file.id) : source.url;
    const schema =
      fields === undefined || fields.length === 0
        ? undefined
        : z.object(Object.fromEntries(fields.map((field) => [field, z.string().nullable()])));
    const request = await buildChatRequest({
      model: services.config.model,
      prompt: schema === undefined ? (describe === true ? describePrompt : ocrPrompt) : fieldsPrompt(fields ?? []),
      inputs: [media],
      ...(schema === undefined ? {} : { structuredOutput: { schema, name: "fields" } }),
    });
    const reservation = await reserveTokens(
      services.store,
      { userDailyTokens: services.config.userDailyTokens, channelDailyTokens: services.config.channelDailyTokens },
      { userId, channel, estimatedTokens: request.estimate.totalTokens, now: services.now() },
    );
    if (!reservation.allowed) throw new BotError("budget", reservation.message);
    let text: string;
    try {
      if (schema === undefined) {
        const completion = await services.glance.complete(request);
        await reservation.settle(completion.usage?.totalTokens ?? request.estimate.totalTokens);
        text = completion.answer.trim();
      } else {
        const structured = await services.glance.completeStructured(request, schema);
        await reservation.settle(structured.completion.usage?.totalTokens ?? request.estimate.totalTokens);
        text = `\`\`\`\n${JSON.stringify(structured.value, null, 2)}\n\`\`\``;
      }
    } catch (error) {
      // Refused or never answered: nothing was spent, so nothing stays booked.
      if (failedBeforeOutput(error)) await reservation.settle(0);
      throw error;
    }
    if (text.length > snippetThreshold && share) {
      // Shared on request: the whole text as a file in the channel (or the message's thread).
      const snippet = {
        file: Buffer.from(services.scrub(text), "utf8"),
        filename: "text.txt",
        title: `Text of ${label}`,
      };
      await services.poster.upload(
        threadTs === undefined
          ? { channel_id: channel, ...snippet }
          : { channel_id: channel, thread_ts: threadTs, ...snippet },
      );
      await respond({
        response_type: responseType,
        text: `The text is long (${text.length} characters); I shared it as a file.`,
      });
      return;
    }
    // Private (or short): as messages only the user sees, in as many pieces as it takes.
    const pieces = splitMessage(services.poster.clean(markdownToMrkdwn(text)), privatePieceLimit);
    for (const [index, piece] of pieces.entries()) {
      if (index < responseUrlUses) {
        await respond({ response_type: responseType, text: piece });
      } else {
        // A response_url takes five messages; the rest go as ephemeral messages from the bot.
        await services.poster.postEphemeral({ channel, user: userId, text: piece });
      }
    }
  } catch (error) {
    services.logger.warn(`OCR failed: ${error instanceof Error ? error.message : String(error)}`);
    await respond({ response_type: "ephemeral", text: services.poster.clean(errorReply(error)) }).catch(() => {});
  }
}

/** `share` counts only as the last word on its own, so a field such as "Share price" stays a field. */
export function splitShare(text: string): { share: boolean; argument: string } {
  const trimmed = text.trim();
  const match = /(^|\s)share$/i.exec(trimmed);
  if (match === null) return { share: false, argument: trimmed };
  return { share: true, argument: trimmed.slice(0, match.index).trim() };
}

/** Whether the user may read a message of `linkChannel` through the bot: it is here, or they are a member. */
async function mayRead(services: BotServices, linkChannel: string, channel: string, userId: string): Promise<boolean> {
  if (linkChannel === channel) return true;
  let cursor: string | undefined;
  try {
    do {
      const page = await services.client.conversations.members({
        channel: linkChannel,
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      if ((page.members ?? []).includes(userId)) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
  } catch (error) {
    // Fail closed: a DM (no im:read) or any channel whose members the bot cannot list is refused.
    services.logger.debug(`conversations.members failed for ${linkChannel}: ${String(error)}`);
  }
  return false;
}

/** A pasted Slack file URL (https://files.slack.com/files-pri/T…-F…/name): its file id. */
function slackFileIdOf(services: BotServices, argument: string): string | undefined {
  const url = /^<?(https?:\/\/[^\s|>]+)/.exec(argument)?.[1];
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!isSlackFileHost(parsed) && !services.trustedFileOrigins.includes(parsed.origin)) return undefined;
  return /^\/files-(?:pri|tmb)\/[A-Z0-9]+-(F[A-Z0-9]+)(?:\/|$)/.exec(parsed.pathname)?.[1];
}

/** The image the command names: a message link, a Slack file URL, an image URL, or the channel's latest image. */
async function findImage(
  services: BotServices,
  options: { channel: string; userId: string; argument: string },
): Promise<OcrSource> {
  const { channel, userId, argument } = options;
  const link = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(argument);
  if (link !== null) {
    const [, linkChannel = channel, seconds = "", micros = ""] = link;
    const ts = `${seconds}.${micros}`;
    // The bot may be in channels the user is not: it must not read those on their behalf.
    if (!(await mayRead(services, linkChannel, channel, userId))) {
      throw new BotError(
        "bad-input",
        "I can only read messages from this channel or a channel you are in. Use `/ocr` there, or share the image here.",
      );
    }
    // conversations.replies finds a message by its ts whether it is top-level or a thread reply.
    const threadTs = /[?&]thread_ts=(\d+\.\d+)/.exec(argument)?.[1] ?? ts;
    const replies = await services.client.conversations.replies({
      channel: linkChannel,
      ts: threadTs,
      latest: ts,
      inclusive: true,
      limit: 200,
    });
    const message = replies.messages?.find((candidate) => candidate.ts === ts);
    if (message === undefined) throw new BotError("no-media", "I couldn't find the linked message.");
    const files = await Promise.all(
      ((message.files ?? []) as SlackFile[]).map((file) => completeSlackFile(services, file)),
    );
    const file = files.find((candidate) => fileKindOf(candidate) === "image");
    if (file === undefined) throw new BotError("no-media", "The linked message has no image I can read.");
    return { kind: "slack", file };
  }
  const fileId = slackFileIdOf(services, argument);
  if (fileId !== undefined) {
    // A Slack file link needs the bot token: files.info gives its url_private (and fails without access).
    const info = await services.client.files.info({ file: fileId });
    const file = info.file as SlackFile | undefined;
    if (file === undefined || fileKindOf(file) !== "image") {
      throw new BotError("no-media", "That Slack file is not an image I can read.");
    }
    return { kind: "slack", file };
  }
  const url = /^<?(https?:\/\/[^\s|>]+)(?:\|[^>]*)?>?$/.exec(argument)?.[1];
  if (url !== undefined) {
    return { kind: "url", url };
  }
  if (argument !== "") {
    throw new BotError(
      "bad-input",
      `I didn't understand "${argument.slice(0, 80)}". Use \`/ocr\` for the channel's latest image, \`/ocr <message link>\`, \`/ocr <image URL>\` or \`/ocr fields: Invoice number, Date\`; add \`share\` at the end to show the result to the channel.`,
    );
  }
  const history = await services.client.conversations.history({ channel, limit: 50 });
  for (const message of history.messages ?? []) {
    // The bot's own uploads (a located.png, a text snippet) are not what the user wants read.
    if (message.bot_id !== undefined) continue;
    const file = (message.files ?? []).find((candidate) => fileKindOf(candidate as SlackFile) === "image");
    if (file !== undefined) return { kind: "slack", file: file as SlackFile };
  }
  throw new BotError(
    "no-media",
    "I found no image in this channel's recent messages. Upload one, or pass a message link or an image URL.",
  );
}
