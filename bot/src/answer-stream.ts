import type { BotLogger } from "./bot-logger.js";
import { neutralizeModelOutput } from "./neutralize.js";
import { markdownToMrkdwn, splitMessage } from "./slack-markdown.js";
import type { EditOptions, PostTarget, SlackPoster, StreamRecipient } from "./slack-poster.js";

/** chat.update refuses text around 4,000 characters; mrkdwn pieces stay well below. */
export const messagePieceLimit = 3_500;

/** One streamed message holds at most this much (Slack refuses a stream chunk above 12,000). */
export const streamMessageLimit = 11_500;

export interface AnswerStreamOptions {
  logger: BotLogger;
  updateIntervalMilliseconds: number;
  /** Set: stream with chat.startStream/appendStream/stopStream. Unset: placeholder + chat.update. */
  streaming?: StreamRecipient | undefined;
  /**
   * Streamed text cannot be taken back, so the newest characters wait until the text after them is
   * known: a secret or `<!channel>` split across two model deltas is scrubbed before any of it is sent.
   */
  holdBackCharacters?: number;
  /**
   * Called with each message the answer posts (the placeholder first, then any continuation), and
   * awaited before the answer goes on: the durable queue notes them, so a replica taking over the
   * answer after this one died can remove them.
   */
  onMessagePosted?: ((ts: string) => Promise<void>) | undefined;
}

/**
 * The longest text held back because it might still become a link or a mention (an unclosed "<" or
 * "[label](…"): its safe form is known only once it is complete. Past this, it is sent as it stands
 * (if it then changes, streaming falls back to rewriting the message whole).
 */
const openConstructLimit = 1_000;

/**
 * One answer in Slack. Two ways to show it:
 *
 * - Streaming (preferred): the placeholder line starts a chat.startStream message, and the answer is
 *   appended to it (throttled). Appends are not idempotent, so they are never retried; instead, the
 *   first failed stream call (an expired stream, a timeout that may have landed) switches to:
 * - Updating: the message is rewritten whole with chat.update (idempotent), so whatever part of an
 *   append landed or not, the final text is complete exactly once.
 *
 * Either way, text beyond one message continues in follow-up messages in the same thread. A streamed
 * message is stopped before it is edited (Slack refuses to edit one that still streams), and its edits
 * clear the streamed Markdown, so no message is left mid-stream or showing text the edit replaced.
 */
export class AnswerStream {
  readonly #poster: SlackPoster;
  readonly #target: PostTarget;
  readonly #logger: BotLogger;
  readonly #intervalMilliseconds: number;
  readonly #holdBack: number;
  readonly #recipient: StreamRecipient | undefined;
  /** The first message of the answer (the placeholder's ts). */
  readonly ts: string;
  #mode: "stream" | "update";
  #markdown = "";
  /** The message currently being written, and where its part of the (cleaned) answer starts. */
  #messageTs: string;
  #messageStart = 0;
  /** Stream mode: the cleaned answer text already appended, over all messages; and the current message's length. */
  #sent = "";
  #messageLength = 0;
  #lastShown = "";
  #lastUpdateAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #updates: Promise<void> = Promise.resolve();
  #closed = false;
  /** Update mode: the follow-up messages already posted after #messageTs, in order. */
  readonly #followUps: string[] = [];
  /** Messages started with chat.startStream, in order: their edits must clear the streamed text. */
  readonly #streamed: string[] = [];
  /** Set by replace(): the text shown so far is no answer, and every message of it goes. */
  #replacing = false;
  readonly #onMessagePosted: (ts: string) => Promise<void>;

  private constructor(
    poster: SlackPoster,
    target: PostTarget,
    ts: string,
    mode: "stream" | "update",
    options: AnswerStreamOptions,
    prefixLength: number,
  ) {
    this.#poster = poster;
    this.#target = target;
    this.ts = ts;
    this.#messageTs = ts;
    this.#mode = mode;
    this.#logger = options.logger;
    this.#intervalMilliseconds = options.updateIntervalMilliseconds;
    this.#holdBack = options.holdBackCharacters ?? 80;
    this.#recipient = options.streaming;
    this.#messageLength = prefixLength;
    this.#onMessagePosted = options.onMessagePosted ?? (async () => {});
    if (mode === "stream") this.#streamed.push(ts);
  }

  static async start(
    poster: SlackPoster,
    target: PostTarget,
    placeholder: string,
    options: AnswerStreamOptions,
  ): Promise<AnswerStream> {
    if (options.streaming !== undefined) {
      const opening = `${placeholder}\n\n`;
      try {
        const ts = await poster.startStream(target, opening, options.streaming);
        await options.onMessagePosted?.(ts);
        return new AnswerStream(poster, target, ts, "stream", options, opening.length);
      } catch (error) {
        // Streaming not available here (old workspace, missing feature, a refusal): the classic way.
        options.logger.warn(`chat.startStream failed, answering with chat.update instead: ${describe(error)}`);
      }
    }
    const ts = await poster.post(target, placeholder);
    await options.onMessagePosted?.(ts);
    return new AnswerStream(poster, target, ts, "update", options, 0);
  }

  get text(): string {
    return this.#markdown;
  }

  /** "stream" while Slack's streaming API carries the answer, "update" once it fell back (or never streamed). */
  get mode(): "stream" | "update" {
    return this.#mode;
  }

  append(delta: string): void {
    if (this.#closed) return;
    this.#markdown += delta;
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastUpdateAt + this.#intervalMilliseconds - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#updates = this.#updates.then(() => this.#flush(false));
    }, wait);
  }

  /** Shows the whole answer (plus notes), continuing in follow-up messages when it is long. */
  async finish(notes: readonly string[] = []): Promise<void> {
    if (this.#markdown.trim() === "") this.#markdown = "(The model gave an empty answer.)";
    if (notes.length > 0) this.#markdown += `\n\n${notes.map((note) => `_${note}_`).join("\n")}`;
    await this.#close();
  }

  /** Ends the answer with an error: the text that arrived stays, the reason follows it. */
  async fail(reply: string): Promise<void> {
    this.#markdown = this.#markdown.trim() === "" ? reply : `${this.#markdown.trimEnd()}\n\n${reply}`;
    await this.#close();
  }

  /**
   * Ends the answer with an error that makes the text shown so far no answer (the model service
   * refused it part-way): the answer's first message shows only `reply`, and its other messages go.
   */
  async replace(reply: string): Promise<void> {
    this.#markdown = reply;
    this.#replacing = true;
    await this.#close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A failed earlier flush (finish() failing half-way) must not stop fail() from flushing again.
    this.#updates = this.#updates.catch(() => {}).then(() => this.#flush(true));
    await this.#updates;
  }

  async #flush(final: boolean): Promise<void> {
    this.#lastUpdateAt = Date.now();
    if (this.#mode === "stream") {
      if (!this.#replacing) {
        try {
          await this.#flushStream(final);
          return;
        } catch (error) {
          this.#logger.warn(`Streaming the answer failed; continuing with chat.update: ${describe(error)}`);
        }
      }
      // Only a stopped stream can be edited: chat.update answers streaming_state_conflict while the
      // message streams. stopStream waits out a 429; when it still fails, this flush fails and the
      // next one (fail() after it) tries the stream again.
      await this.#poster.stopStream(this.#target.channel, this.#messageTs);
      this.#mode = "update";
    }
    if (this.#replacing) await this.#dropLaterMessages();
    await this.#flushUpdate(final);
  }

  /** replace(): the first message will show the reply; the answer's other messages held only its text. */
  async #dropLaterMessages(): Promise<void> {
    const later = [...this.#streamed.filter((ts) => ts !== this.ts), ...this.#followUps];
    this.#streamed.splice(0, this.#streamed.length, ...this.#streamed.filter((ts) => ts === this.ts));
    this.#followUps.splice(0);
    this.#messageTs = this.ts;
    this.#messageStart = 0;
    for (const ts of later) {
      try {
        await this.#poster.delete(this.#target.channel, ts);
      } catch (error) {
        this.#logger.warn(`Could not remove message ${ts} of a refused answer: ${describe(error)}`);
      }
    }
  }

  /** How a message of this answer is edited: from the workspace's budget, clearing streamed text. */
  #editOptions(ts: string): EditOptions {
    return { workspace: this.#target.teamId, replacesStream: this.#streamed.includes(ts) };
  }

  /**
   * The answer as it may be shown: secrets scrubbed, and the model's mentions and links neutralized
   * (neutralize.ts). The same text in both modes, so a switch to updating continues where streaming was.
   */
  #cleaned(): string {
    return this.#poster.clean(neutralizeModelOutput(this.#markdown));
  }

  async #flushStream(final: boolean): Promise<void> {
    const cleaned = this.#cleaned();
    if (!cleaned.startsWith(this.#sent)) {
      // Scrubbing or neutralizing rewrote text that was already streamed: only a whole rewrite can fix that.
      throw new Error("the cleaned answer no longer starts with the streamed text");
    }
    const end = final
      ? cleaned.length
      : streamableEnd(cleaned, this.#sent.length, Math.max(this.#sent.length, cleaned.length - this.#holdBack));
    let pending = cleaned.slice(this.#sent.length, end);
    const channel = this.#target.channel;
    while (pending !== "") {
      const room = streamMessageLimit - this.#messageLength;
      if (pending.length <= room) {
        await this.#poster.appendStream(channel, this.#messageTs, pending);
        this.#sent += pending;
        this.#messageLength += pending.length;
        pending = "";
        break;
      }
      // The message is full: end it at a line break when there is one, and continue in a new one.
      const window = pending.slice(0, Math.max(0, room));
      const lineBreak = window.lastIndexOf("\n");
      const cut = lineBreak > room / 2 ? lineBreak + 1 : window.length;
      if (cut > 0) {
        await this.#poster.appendStream(channel, this.#messageTs, pending.slice(0, cut));
        this.#sent += pending.slice(0, cut);
        pending = pending.slice(cut);
      }
      await this.#poster.stopStream(channel, this.#messageTs);
      const next = pending.slice(0, streamMessageLimit);
      const threadTs = this.#target.threadTs ?? this.ts;
      this.#messageTs = await this.#poster.startStream(
        { channel, threadTs },
        next,
        this.#recipient ?? { userId: undefined, teamId: undefined },
      );
      this.#streamed.push(this.#messageTs);
      await this.#onMessagePosted(this.#messageTs);
      this.#messageStart = this.#sent.length;
      this.#sent += next;
      this.#messageLength = next.length;
      pending = pending.slice(next.length);
    }
    if (final) await this.#poster.stopStream(channel, this.#messageTs);
  }

  async #flushUpdate(final: boolean): Promise<void> {
    const cleaned = this.#cleaned();
    const pieces = splitMessage(markdownToMrkdwn(cleaned.slice(this.#messageStart)), messagePieceLimit);
    const channel = this.#target.channel;
    if (!final) {
      const first = pieces[0] ?? "";
      const text = pieces.length > 1 ? `${first}\n…` : `${first} …`;
      if (text === this.#lastShown) return;
      try {
        // Skipped when the workspace's edit budget is spent: the next edit shows the text.
        const ts = this.#messageTs;
        if (await this.#poster.updateProgress(channel, ts, text, this.#editOptions(ts))) this.#lastShown = text;
      } catch (error) {
        // A missed progress update is harmless: the next one, or the final one, shows the text.
        this.#logger.warn(`A progress update failed: ${describe(error)}`);
      }
      return;
    }
    const [first = "", ...rest] = pieces;
    await this.#poster.update(channel, this.#messageTs, first, this.#editOptions(this.#messageTs));
    // A failure after some follow-ups were posted ends in fail(), which flushes again: the follow-ups
    // that exist are edited in place, never posted a second time.
    for (const [index, piece] of rest.entries()) {
      const existing = this.#followUps[index];
      if (existing !== undefined) {
        await this.#poster.update(channel, existing, piece, this.#editOptions(existing));
      } else {
        const ts = await this.#poster.post({ channel, threadTs: this.#target.threadTs ?? this.ts }, piece);
        this.#followUps.push(ts);
        await this.#onMessagePosted(ts);
      }
    }
    // The text got shorter (rare: the error reply replaced nothing): leftover follow-ups must not keep stale text.
    for (const extra of this.#followUps.slice(rest.length)) {
      await this.#poster.update(channel, extra, "…", this.#editOptions(extra)).catch(() => {});
    }
  }
}

/**
 * Where streaming may stop for now, at most `end`: before an unclosed "<" (a mention or link whose end
 * has not arrived) or an unfinished Markdown link "[label](…", when it started within the last
 * openConstructLimit characters. Never before `from` (what is already sent).
 */
export function streamableEnd(text: string, from: number, end: number): number {
  let cut = end;
  const angle = text.lastIndexOf("<", end - 1);
  if (angle >= from && !text.includes(">", angle)) cut = angle;
  // From `end` itself: a "[" just past the end makes the "!" before it an image's.
  const bracket = text.lastIndexOf("[", end);
  if (bracket >= from && linkMayBeOpen(text, bracket, end)) {
    // An image's "!" goes with its link.
    cut = Math.min(cut, text[bracket - 1] === "!" && bracket - 1 >= from ? bracket - 1 : bracket);
  }
  return end - cut > openConstructLimit ? end : cut;
}

/** Whether "[" at `bracket` may still turn out to be a Markdown link that is not complete before `end`. */
function linkMayBeOpen(text: string, bracket: number, end: number): boolean {
  const close = text.indexOf("]", bracket);
  // The label is not finished, or what follows "]" has not arrived yet.
  if (close === -1 || close >= end || close + 1 >= text.length) return true;
  // "[x] y" is no link. An unfinished one was written "]\u2060(" by neutralizeModelOutput, which
  // rewrites it whole once its ")" arrives.
  const opening = text.startsWith("(", close + 1) ? close + 1 : text.startsWith("\u2060(", close + 1) ? close + 2 : -1;
  if (opening === -1) return false;
  const destinationEnd = text.indexOf(")", opening);
  return destinationEnd === -1 || destinationEnd >= end;
}

function describe(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  if (typeof data?.error === "string") return data.error;
  return error instanceof Error ? error.message : String(error);
}
