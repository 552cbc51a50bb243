import type { RespondFn } from "@slack/bolt";
import type { BotServices } from "../bot-services.js";
import { markdownToMrkdwn, splitMessage } from "../slack-markdown.js";

/** Above this, shared text comes back as a snippet file rather than a message. */
const snippetThreshold = 2_500;

/** One private message's worth of text (Slack refuses message text above 4,000 characters). */
const privatePieceLimit = 3_500;

/** Slack accepts at most five messages per response_url. */
const responseUrlUses = 5;

/**
 * Replies with text read from an image. Private by default: messages only the user sees, in as many
 * pieces as it takes. Shared on request: in the channel, and a long text as a snippet file in the
 * channel (or in the thread of the message a shortcut was used on).
 */
export async function replyWithText(
  services: BotServices,
  respond: RespondFn,
  reply: { text: string; label: string; share: boolean; channel: string; userId: string; threadTs: string | undefined },
): Promise<void> {
  const { text, share, channel, threadTs } = reply;
  const responseType = share ? "in_channel" : "ephemeral";
  if (text.length > snippetThreshold && share) {
    const snippet = {
      file: Buffer.from(services.scrub(text), "utf8"),
      filename: "text.txt",
      title: `Text of ${reply.label}`,
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
  const pieces = splitMessage(services.poster.clean(markdownToMrkdwn(text)), privatePieceLimit);
  for (const [index, piece] of pieces.entries()) {
    if (index < responseUrlUses) {
      await respond({ response_type: responseType, text: piece });
    } else {
      // A response_url takes five messages; the rest go as ephemeral messages from the bot.
      await services.poster.postEphemeral({ channel, user: reply.userId, text: piece });
    }
  }
}
