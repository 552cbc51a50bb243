import { buildChatRequest, type PreparedMedia, prepareImage } from "@glance/core";
import type { App, RespondFn } from "@slack/bolt";
import { z } from "zod";
import { BotError } from "../bot-error.js";
import type { BotServices } from "../bot-services.js";
import { errorReply } from "../error-replies.js";
import { reserveTokens } from "../guardrails/token-budget.js";
import { completeSlackFile, prepareSlackFile } from "../prepare-slack-media.js";
import { describePrompt, fieldsPrompt, ocrPrompt } from "../prompts.js";
import { fileKindOf, type SlackFile } from "../slack-file.js";
import { markdownToMrkdwn } from "../slack-markdown.js";
import { downloadImageUrl } from "../url-download.js";

/** What /ocr reads: a Slack file (downloaded with the bot token) or a public image URL (without it). */
type OcrSource = { kind: "slack"; file: SlackFile } | { kind: "url"; url: string };

/** Above this, text comes back as a snippet file rather than a message. */
const snippetThreshold = 2_500;

/**
 * `/ocr` and the "extract_text" / "describe" message shortcuts. Both are acknowledged at once; the
 * reply goes to the response_url, ephemeral unless the user wrote "share".
 */
export function registerOcr(app: App, services: BotServices): void {
  app.command("/ocr", async ({ command, ack, respond }) => {
    await ack();
    const share = /\bshare\b/i.test(command.text);
    const text = command.text.replace(/\bshare\b/i, "").trim();
    services.track(
      runOcr(services, respond, share, command.user_id, command.channel_id, async () => {
        const fields = /^fields:\s*(.+)$/i.exec(text)?.[1];
        const source = await findImage(services, command.channel_id, fields === undefined ? text : "");
        return {
          source,
          threadTs: undefined,
          fields: fields
            ?.split(",")
            .map((field) => field.trim())
            .filter((field) => field !== ""),
        };
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
    const { source, threadTs, fields, describe } = await choose();
    const media: PreparedMedia =
      source.kind === "slack"
        ? await prepareSlackFile(services, source.file, { allowLongVideo: false })
        : await prepareImage(
            await downloadImageUrl(source.url, {
              fetch: services.fetch,
              maxBytes: services.config.maxFileBytes,
              trustedOrigins: services.urlOrigins,
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
    if (schema === undefined) {
      const completion = await services.glance.complete(request);
      await reservation.settle(completion.usage?.totalTokens ?? request.estimate.totalTokens);
      text = completion.answer.trim();
    } else {
      const structured = await services.glance.completeStructured(request, schema);
      await reservation.settle(structured.completion.usage?.totalTokens ?? request.estimate.totalTokens);
      text = `\`\`\`\n${JSON.stringify(structured.value, null, 2)}\n\`\`\``;
    }
    if (text.length > snippetThreshold) {
      const snippet = {
        file: Buffer.from(services.scrub(text), "utf8"),
        filename: "text.txt",
        title: `Text of ${label}`,
      };
      await services.client.filesUploadV2(
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
    await respond({ response_type: responseType, text: services.poster.clean(markdownToMrkdwn(text)) });
  } catch (error) {
    services.logger.warn(`OCR failed: ${error instanceof Error ? error.message : String(error)}`);
    await respond({ response_type: "ephemeral", text: services.poster.clean(errorReply(error)) }).catch(() => {});
  }
}

/** The image the command names: a message link, an image URL, or the channel's latest image. */
async function findImage(services: BotServices, channel: string, argument: string): Promise<OcrSource> {
  const link = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(argument);
  if (link !== null) {
    const [, linkChannel = channel, seconds = "", micros = ""] = link;
    const ts = `${seconds}.${micros}`;
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
  const url = /^<?(https?:\/\/[^\s|>]+)/.exec(argument)?.[1];
  if (url !== undefined) {
    return { kind: "url", url };
  }
  const history = await services.client.conversations.history({ channel, limit: 50 });
  for (const message of history.messages ?? []) {
    const file = (message.files ?? []).find((candidate) => fileKindOf(candidate as SlackFile) === "image");
    if (file !== undefined) return { kind: "slack", file: file as SlackFile };
  }
  throw new BotError(
    "no-media",
    "I found no image in this channel's recent messages. Upload one, or pass a message link or an image URL.",
  );
}
