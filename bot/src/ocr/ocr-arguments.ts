import { BotError } from "../bot-error.js";

/** Which image `/ocr` reads, as the user named it. */
export type OcrTarget =
  | { kind: "latest-image" }
  /** A link to a message (a top-level message or a thread reply) whose image is read. */
  | { kind: "message-link"; channel: string; ts: string; threadTs: string }
  /** A URL: a Slack file's own URL, or an image anywhere on the web. */
  | { kind: "url"; url: string };

export interface OcrArguments {
  target: OcrTarget;
  /** Show the result to the channel (a snippet file when long) instead of to the user alone. */
  share: boolean;
  /** `fields: A, B` asks for those fields as JSON instead of the whole text. */
  fields: string[] | undefined;
}

/**
 * Reads the text after `/ocr`. Pure: no Slack call, no network. `share` counts only as the last word on
 * its own, so a field such as "Share price" stays a field. Anything it cannot read is a BotError
 * ("bad-input") whose message is the reply.
 */
export function parseOcrArguments(text: string): OcrArguments {
  const { share, argument } = splitShare(text);
  const fieldsMatch = /^fields:(.*)$/is.exec(argument);
  if (fieldsMatch !== null) {
    const fields = (fieldsMatch[1] ?? "")
      .split(",")
      .map((field) => field.trim())
      .filter((field) => field !== "");
    if (fields.length === 0) {
      throw new BotError(
        "bad-input",
        "Name at least one field after `fields:`, e.g. `/ocr fields: Invoice number, Date, Total`.",
      );
    }
    return { target: { kind: "latest-image" }, share, fields };
  }
  return { target: targetOf(argument), share, fields: undefined };
}

function splitShare(text: string): { share: boolean; argument: string } {
  const trimmed = text.trim();
  const match = /(^|\s)share$/i.exec(trimmed);
  if (match === null) return { share: false, argument: trimmed };
  return { share: true, argument: trimmed.slice(0, match.index).trim() };
}

function targetOf(argument: string): OcrTarget {
  const link = /\/archives\/([A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(argument);
  if (link !== null) {
    const [, channel = "", seconds = "", micros = ""] = link;
    const ts = `${seconds}.${micros}`;
    // A reply's link names its thread; conversations.replies finds the message through it.
    const threadTs = /[?&]thread_ts=(\d+\.\d+)/.exec(argument)?.[1] ?? ts;
    return { kind: "message-link", channel, ts, threadTs };
  }
  // Slack wraps a pasted URL in angle brackets, with an optional |label.
  const url = /^<?(https?:\/\/[^\s|>]+)(?:\|[^>]*)?>?$/.exec(argument)?.[1];
  if (url !== undefined) return { kind: "url", url };
  if (argument !== "") {
    throw new BotError(
      "bad-input",
      `I didn't understand "${shownArgument(argument)}". Use \`/ocr\` for the channel's latest image, \`/ocr <message link>\`, \`/ocr <image URL>\` or \`/ocr fields: Invoice number, Date\`; add \`share\` at the end to show the result to the channel.`,
    );
  }
  return { kind: "latest-image" };
}

/**
 * What the user wrote, as the one-line refusal quotes it: line breaks and control characters become a
 * space, and the cut at 80 characters never splits a character in two (a lone surrogate shows as garbage).
 */
function shownArgument(argument: string): string {
  const oneLine = argument.replace(/[\p{Cc}\u2028\u2029]+/gu, " ");
  const characters = Array.from(oneLine);
  const cut = characters.slice(0, 80).join("");
  return cut.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}
