import { BotError } from "../bot-error.js";
import type { BotServices } from "../bot-services.js";
import { isSlackFileHost } from "../downloads.js";
import { completeSlackFile } from "../prepare-slack-media.js";
import { conversationsOfFile, type FileShares, fileKindOf, type SlackFile } from "../slack-file.js";
import type { OcrTarget } from "./ocr-arguments.js";

/** What /ocr reads: a Slack file (downloaded with the bot token) or a public image URL (without it). */
export type OcrSource = { kind: "slack"; file: SlackFile } | { kind: "url"; url: string };

/**
 * Finds the image the user named, with the access checks: the bot may be in channels the user is not, so
 * a linked message is read only when it is in this channel or the user is a member of its channel, and a
 * pasted Slack file only when the user uploaded it or is in a conversation it is shared in. files.info
 * succeeding proves only that the bot can see the file.
 */
export async function findOcrSource(
  services: BotServices,
  request: { channel: string; userId: string; target: OcrTarget },
): Promise<OcrSource> {
  const { target } = request;
  switch (target.kind) {
    case "message-link":
      return imageOfLinkedMessage(services, { ...request, link: target });
    case "url": {
      const fileId = slackFileIdOf(services, target.url);
      return fileId === undefined ? { kind: "url", url: target.url } : imageOfSlackFile(services, fileId, request);
    }
    case "latest-image":
      return latestImage(services, request.channel);
  }
}

/** The first image of a message a shortcut was used on. */
export async function imageOfMessage(services: BotServices, files: readonly SlackFile[]): Promise<OcrSource> {
  const completed = await Promise.all(files.map((file) => completeSlackFile(services, file)));
  const file = completed.find((candidate) => fileKindOf(candidate) === "image");
  if (file === undefined) throw new BotError("no-media", "That message has no image I can read.");
  return { kind: "slack", file };
}

async function imageOfLinkedMessage(
  services: BotServices,
  request: { channel: string; userId: string; link: Extract<OcrTarget, { kind: "message-link" }> },
): Promise<OcrSource> {
  const { link } = request;
  if (!(await mayRead(services, link.channel, request.channel, request.userId))) {
    throw new BotError(
      "bad-input",
      "I can only read messages from this channel or a channel you are in. Use `/ocr` there, or share the image here.",
    );
  }
  // conversations.replies finds a message by its ts whether it is top-level or a thread reply.
  const replies = await services.client.conversations.replies({
    channel: link.channel,
    ts: link.threadTs,
    latest: link.ts,
    inclusive: true,
    limit: 200,
  });
  const message = replies.messages?.find((candidate) => candidate.ts === link.ts);
  if (message === undefined) throw new BotError("no-media", "I couldn't find the linked message.");
  const files = await Promise.all(
    ((message.files ?? []) as SlackFile[]).map((file) => completeSlackFile(services, file)),
  );
  const file = files.find((candidate) => fileKindOf(candidate) === "image");
  if (file === undefined) throw new BotError("no-media", "The linked message has no image I can read.");
  return { kind: "slack", file };
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
function slackFileIdOf(services: BotServices, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!isSlackFileHost(parsed) && !services.trustedFileOrigins.includes(parsed.origin)) return undefined;
  return /^\/files-(?:pri|tmb)\/[A-Z0-9]+-(F[A-Z0-9]+)(?:\/|$)/.exec(parsed.pathname)?.[1];
}

/** A Slack file link needs the bot token: files.info gives its url_private and where it is shared. */
async function imageOfSlackFile(
  services: BotServices,
  fileId: string,
  request: { channel: string; userId: string },
): Promise<OcrSource> {
  const info = await services.client.files.info({ file: fileId });
  const file = info.file as (SlackFile & FileShares) | undefined;
  if (file === undefined || !(await mayReadFile(services, file, request))) {
    // The same answer whether the file is missing or private, so the reply does not confirm it exists.
    throw new BotError(
      "bad-input",
      "I can only read Slack files you uploaded or that are shared in a conversation you are in. Share the image here, or use `/ocr` where it was shared.",
    );
  }
  if (fileKindOf(file) !== "image") {
    throw new BotError("no-media", "That Slack file is not an image I can read.");
  }
  return { kind: "slack", file };
}

/** The uploader may read their file; anyone else must be in a conversation it is shared in (fail closed). */
async function mayReadFile(
  services: BotServices,
  file: SlackFile & FileShares,
  request: { channel: string; userId: string },
): Promise<boolean> {
  if (file.user !== undefined && file.user === request.userId) return true;
  for (const conversation of conversationsOfFile(file)) {
    if (await mayRead(services, conversation, request.channel, request.userId)) return true;
  }
  return false;
}

async function latestImage(services: BotServices, channel: string): Promise<OcrSource> {
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
