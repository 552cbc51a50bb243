import { buildChatRequest, type PreparedMedia } from "@glance/core";
import type { App, RespondFn } from "@slack/bolt";
import { z } from "zod";
import { BotError } from "../bot-error.js";
import type { BotServices } from "../bot-services.js";
import { errorReply } from "../error-replies.js";
import { reserveTokens } from "../guardrails/token-budget.js";
import { prepareSlackFile } from "../prepare-slack-media.js";
import { describePrompt, fieldsPrompt, ocrPrompt } from "../prompts.js";
import { fileKindOf, type SlackFile } from "../slack-file.js";
import { markdownToMrkdwn } from "../slack-markdown.js";

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
        const file = await findImage(services, command.channel_id, fields === undefined ? text : "");
        return {
          file,
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
      services.track(
        runOcr(services, respond, false, shortcut.user.id, shortcut.channel.id, async () => {
          const file = files.find((candidate) => fileKindOf(candidate) === "image");
          if (file === undefined) throw new BotError("no-media", "That message has no image I can read.");
          return { file, fields: undefined, describe: callbackId === "describe" };
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
  choose: () => Promise<{ file: SlackFile; fields: string[] | undefined; describe?: boolean }>,
): Promise<void> {
  const responseType = share ? "in_channel" : "ephemeral";
  try {
    const { file, fields, describe } = await choose();
    const media: PreparedMedia = await prepareSlackFile(services, file, { allowLongVideo: false });
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
      await services.client.filesUploadV2({
        channel_id: channel,
        file: Buffer.from(services.scrub(text), "utf8"),
        filename: "text.txt",
        title: `Text of ${file.name ?? file.id}`,
      });
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

/** The image the command names: a message link, an image URL in the channel, or the channel's latest image. */
async function findImage(services: BotServices, channel: string, argument: string): Promise<SlackFile> {
  const link = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(argument);
  if (link !== null) {
    const [, linkChannel = channel, seconds = "", micros = ""] = link;
    const history = await services.client.conversations.history({
      channel: linkChannel,
      latest: `${seconds}.${micros}`,
      inclusive: true,
      limit: 1,
    });
    const file = (history.messages?.[0]?.files ?? []).find(
      (candidate) => fileKindOf(candidate as SlackFile) === "image",
    );
    if (file === undefined) throw new BotError("no-media", "The linked message has no image I can read.");
    return file as SlackFile;
  }
  if (/^<?https?:\/\//.test(argument)) {
    const url = argument.replace(/^<|>$/g, "").split("|")[0] ?? "";
    return { id: `url:${url}`, name: url.split("/").pop() ?? "image", url_private: url };
  }
  const history = await services.client.conversations.history({ channel, limit: 50 });
  for (const message of history.messages ?? []) {
    const file = (message.files ?? []).find((candidate) => fileKindOf(candidate as SlackFile) === "image");
    if (file !== undefined) return file as SlackFile;
  }
  throw new BotError(
    "no-media",
    "I found no image in this channel's recent messages. Upload one, or pass a message link or an image URL.",
  );
}
