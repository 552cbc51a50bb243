import type { App, RespondFn } from "@slack/bolt";
import type { BotServices } from "../bot-services.js";
import { errorReply } from "../error-replies.js";
import { RequestBudget } from "../guardrails/token-budget.js";
import { parseOcrArguments } from "../ocr/ocr-arguments.js";
import { replyWithText } from "../ocr/ocr-reply.js";
import { findOcrSource, imageOfMessage, type OcrSource } from "../ocr/ocr-source.js";
import { type OcrQuestion, readImageText } from "../ocr/read-image-text.js";
import type { SlackFile } from "../slack-file.js";

const busyReply = ":hourglass: I'm reading a lot of images right now and my queue is full. Try again in a minute.";

/** Who asked, and where. */
interface Asker {
  userId: string;
  channel: string;
}

/** What one /ocr or shortcut use reads, and how the result is shown. */
interface OcrJob {
  source: OcrSource;
  question: OcrQuestion;
  share: boolean;
  /** Where a shared snippet goes: the thread of the message a shortcut was used on. */
  threadTs: string | undefined;
}

/**
 * `/ocr` and the "extract_text" / "describe" message shortcuts. Both are acknowledged at once; the
 * reply goes to the response_url, ephemeral unless the user wrote "share".
 */
export function registerOcr(app: App, services: BotServices): void {
  app.command("/ocr", async ({ command, ack, respond }) => {
    await ack();
    const asker = { userId: command.user_id, channel: command.channel_id };
    services.track(
      runOcr(services, respond, asker, async () => {
        const { target, share, fields } = parseOcrArguments(command.text);
        return {
          source: await findOcrSource(services, { ...asker, target }),
          question: fields === undefined ? { kind: "text" } : { kind: "fields", fields },
          share,
          threadTs: undefined,
        };
      }),
    );
  });
  for (const callbackId of ["extract_text", "describe"] as const) {
    app.shortcut(callbackId, async ({ shortcut, ack, respond }) => {
      await ack();
      if (shortcut.type !== "message_action") return;
      const files = (shortcut.message.files ?? []) as SlackFile[];
      const threadTs = (shortcut.message as { thread_ts?: string }).thread_ts ?? shortcut.message.ts;
      services.track(
        runOcr(services, respond, { userId: shortcut.user.id, channel: shortcut.channel.id }, async () => ({
          source: await imageOfMessage(services, files),
          question: { kind: callbackId === "describe" ? "describe" : "text" },
          share: false,
          threadTs,
        })),
      );
    });
  }
}

/**
 * A slot first (the same concurrency limit and queue as answers: each use may hold a download and a
 * model call; with the durable queue, a place in the queue all replicas share before that), then the budget (nothing is downloaded past it), the image, the model, the reply; every
 * failure is told.
 */
async function runOcr(
  services: BotServices,
  respond: RespondFn,
  asker: Asker,
  choose: () => Promise<OcrJob>,
): Promise<void> {
  // With the durable queue, a place in the queue all replicas share first: GLANCE_MAX_QUEUED counts
  // these uses there, beside the questions waiting for any replica's worker.
  let leaveSharedQueue: (() => Promise<void>) | undefined;
  try {
    leaveSharedQueue = await services.sharedQueue?.reserve();
  } catch (error) {
    services.logger.warn(
      `OCR could not take a place in the queue: ${error instanceof Error ? error.message : String(error)}`,
    );
    await respond({ response_type: "ephemeral", text: services.poster.clean(errorReply(error)) }).catch(() => {});
    return;
  }
  if (services.sharedQueue !== undefined && leaveSharedQueue === undefined) {
    await respond({ response_type: "ephemeral", text: busyReply }).catch(() => {});
    return;
  }
  const release = await services.limit.tryEnter();
  await leaveSharedQueue?.().catch((error: unknown) => {
    services.logger.warn(
      `OCR could not free its place in the queue: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  if (release === undefined) {
    await respond({ response_type: "ephemeral", text: busyReply }).catch(() => {});
    return;
  }
  try {
    const budget = await RequestBudget.check({
      budgets: services.state.budgets,
      limits: services.config,
      payer: asker,
      now: services.now,
    });
    const job = await choose();
    const { text, label } = await readImageText(services, budget, job.source, job.question);
    await replyWithText(services, respond, { text, label, share: job.share, threadTs: job.threadTs, ...asker });
  } catch (error) {
    services.logger.warn(`OCR failed: ${error instanceof Error ? error.message : String(error)}`);
    await respond({ response_type: "ephemeral", text: services.poster.clean(errorReply(error)) }).catch(() => {});
  } finally {
    release();
  }
}
