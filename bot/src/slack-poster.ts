import type { FilesUploadV2Arguments, WebClient } from "@slack/web-api";
import { ErrorCode } from "@slack/web-api";
import type { BotLogger } from "./bot-logger.js";
import { slackErrorCodeOf } from "./error-replies.js";
import { MemoryUpdateThrottle, type UpdateThrottle } from "./guardrails/update-throttle.js";
import { neutralizeMassMentions } from "./neutralize.js";

export interface PostTarget {
  channel: string;
  threadTs: string | undefined;
  /**
   * The workspace the channel is read from (the event's team): Slack's rate limits are per method and
   * workspace, so edits take from that workspace's budget. Unknown: one budget for every such edit.
   */
  teamId?: string | undefined;
}

/**
 * Who a streamed answer is for; Slack requires both outside direct messages. `teamId` is the user's
 * own team, which for a Slack Connect user is another organization's, not the channel's.
 */
export interface StreamRecipient {
  userId: string | undefined;
  teamId: string | undefined;
}

/** How an edit is made. */
export interface EditOptions {
  /** The workspace whose chat.update budget the edit takes from (PostTarget.teamId). */
  workspace?: string | undefined;
  /**
   * The message was streamed: its streamed Markdown is kept apart from `text`, and chat.update keeps a
   * message's blocks unless the call says otherwise ("To remove previous blocks, include an empty array",
   * chat.update's `blocks` argument, https://docs.slack.dev/reference/methods/chat.update). The edit
   * sends `blocks: []`, so no streamed text can survive it.
   */
  replacesStream?: boolean;
}

/** The budget of edits whose workspace is not known (a single-workspace app has only this one). */
const unknownWorkspace = "workspace";

/**
 * Every message the bot writes goes through here: text is scrubbed of secrets and mass mentions.
 * `post` uses a client without automatic retries, because a chat.postMessage that timed out may have
 * landed; it retries only what certainly did not land (HTTP 429), and after an unclear failure it looks
 * in the thread before posting again. `update` may retry freely: editing twice is harmless.
 * The streaming calls are not idempotent either (a start posts, an append adds text), so they use the
 * client without retries too; they take text already cleaned by the caller, which tracks what was sent.
 */
export class SlackPoster {
  readonly #postClient: WebClient;
  readonly #client: WebClient;
  readonly #scrub: (text: string) => string;
  readonly #logger: BotLogger;
  readonly #sleep: (milliseconds: number) => Promise<void>;
  readonly #updateThrottle: UpdateThrottle;

  constructor(options: {
    postClient: WebClient;
    client: WebClient;
    scrub: (text: string) => string;
    logger: BotLogger;
    sleep?: (milliseconds: number) => Promise<void>;
    /** The workspaces' chat.update budgets, shared by all answers (and replicas). Default: this process's, 50 a minute. */
    updateThrottle?: UpdateThrottle;
  }) {
    this.#updateThrottle = options.updateThrottle ?? new MemoryUpdateThrottle();
    this.#postClient = options.postClient;
    this.#client = options.client;
    this.#scrub = options.scrub;
    this.#logger = options.logger;
    this.#sleep = options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  }

  clean(text: string): string {
    return neutralizeMassMentions(this.#scrub(text));
  }

  async post(target: PostTarget, text: string): Promise<string> {
    const cleaned = this.clean(text);
    const startedAt = Date.now() / 1000;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await this.#postClient.chat.postMessage({
          channel: target.channel,
          text: cleaned,
          ...(target.threadTs === undefined ? {} : { thread_ts: target.threadTs }),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (response.ts === undefined) throw new Error("chat.postMessage answered without a ts");
        return response.ts;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === ErrorCode.RateLimitedError && attempt <= 3) {
          // A 429 means Slack did not post: waiting and sending again cannot duplicate.
          const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
          this.#logger.warn(`chat.postMessage was rate-limited; posting again in ${seconds} s.`);
          await this.#sleep(seconds * 1000);
          continue;
        }
        if (slackErrorCodeOf(error) === "request_failed" && target.threadTs !== undefined) {
          // Unclear: the message may have landed. Look before posting anything again.
          const landed = await this.#findLanded(target, cleaned, startedAt);
          if (landed !== undefined) return landed;
        }
        throw error;
      }
    }
  }

  /** Starts a streamed message (chat.startStream) with `markdown` and returns its ts. */
  async startStream(target: PostTarget, markdown: string, recipient: StreamRecipient): Promise<string> {
    const startedAt = Date.now() / 1000;
    // Slack streams only replies in a thread; the bot always answers in one.
    if (target.threadTs === undefined) throw new Error("chat.startStream needs a thread");
    try {
      const response = await this.#postClient.chat.startStream({
        channel: target.channel,
        markdown_text: markdown,
        thread_ts: target.threadTs,
        ...(recipient.userId === undefined ? {} : { recipient_user_id: recipient.userId }),
        ...(recipient.teamId === undefined ? {} : { recipient_team_id: recipient.teamId }),
      });
      if (response.ts === undefined) throw new Error("chat.startStream answered without a ts");
      return response.ts;
    } catch (error) {
      if (slackErrorCodeOf(error) === "request_failed") {
        const landed = await this.#findLanded(target, markdown, startedAt);
        if (landed !== undefined) return landed;
      }
      throw error;
    }
  }

  /** A 429 means the append did not land: it is sent again after Retry-After, and streaming goes on. */
  async appendStream(channel: string, ts: string, markdown: string): Promise<void> {
    await this.#withRateLimitRetry("chat.appendStream", () =>
      this.#postClient.chat.appendStream({ channel, ts, markdown_text: markdown }),
    );
  }

  /**
   * Stopping is what makes a streamed message editable again (chat.update answers
   * streaming_state_conflict while it streams), so a 429 is waited out and the stop sent again, as for
   * appends; a stream that already ended (message_not_in_streaming_state) counts as stopped.
   */
  async stopStream(channel: string, ts: string): Promise<void> {
    try {
      await this.#withRateLimitRetry("chat.stopStream", () => this.#postClient.chat.stopStream({ channel, ts }));
    } catch (error) {
      if (slackErrorCodeOf(error) !== "message_not_in_streaming_state") throw error;
    }
  }

  /**
   * files.uploadV2 creates a file message: like a post, it is never retried blindly (a timed-out upload
   * may have landed), only after a 429, which Slack answers before doing anything.
   */
  async upload(options: FilesUploadV2Arguments): Promise<void> {
    await this.#withRateLimitRetry("files.uploadV2", () => this.#postClient.filesUploadV2(options));
  }

  /** chat.postEphemeral, cleaned and without blind retries (it posts, so it is not idempotent either). */
  async postEphemeral(options: { channel: string; user: string; text: string; threadTs?: string }): Promise<void> {
    await this.#withRateLimitRetry("chat.postEphemeral", () =>
      this.#postClient.chat.postEphemeral({
        channel: options.channel,
        user: options.user,
        text: this.clean(options.text),
        ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
      }),
    );
  }

  async #withRateLimitRetry<T>(method: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if ((error as { code?: unknown }).code !== ErrorCode.RateLimitedError || attempt > 3) throw error;
        const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
        this.#logger.warn(`${method} was rate-limited; trying again in ${seconds} s.`);
        await this.#sleep(seconds * 1000);
      }
    }
  }

  /**
   * Removes one of the bot's messages (an answer a replica that died had started). Deleting is
   * idempotent, so retries are allowed; a message already gone counts as removed.
   */
  async delete(channel: string, ts: string): Promise<void> {
    try {
      await this.#client.chat.delete({ channel, ts });
    } catch (error) {
      if (slackErrorCodeOf(error) !== "message_not_found") throw error;
    }
  }

  /** A final edit: waits for the workspace's edit budget, then edits. */
  async update(channel: string, ts: string, text: string, options: EditOptions = {}): Promise<void> {
    await this.#updateThrottle.take(options.workspace ?? unknownWorkspace);
    await this.#edit(channel, ts, text, options);
  }

  /** A progress edit: skipped (false) when the workspace's edit budget is used up for now. */
  async updateProgress(channel: string, ts: string, text: string, options: EditOptions = {}): Promise<boolean> {
    if (!(await this.#updateThrottle.tryTake(options.workspace ?? unknownWorkspace))) return false;
    await this.#edit(channel, ts, text, options);
    return true;
  }

  async #edit(channel: string, ts: string, text: string, options: EditOptions): Promise<void> {
    await this.#client.chat.update({
      channel,
      ts,
      text: this.clean(text),
      ...(options.replacesStream === true ? { blocks: [] } : {}),
    });
  }

  async #findLanded(target: PostTarget, text: string, since: number): Promise<string | undefined> {
    try {
      const replies = await this.#client.conversations.replies({
        channel: target.channel,
        ts: target.threadTs ?? "",
        oldest: String(since - 5),
        limit: 50,
      });
      // Slack stores text as it renders it (trailing whitespace trimmed, Markdown converted), so the
      // comparison ignores whitespace, and a stored text that begins with the start of ours also counts.
      const wanted = normalizeWhitespace(text);
      const head = wanted.slice(0, 60);
      const candidates = (replies.messages ?? []).filter(
        (message) => message.bot_id !== undefined && message.ts !== undefined && Number(message.ts) >= since - 5,
      );
      const exact = candidates.find((message) => normalizeWhitespace(message.text ?? "") === wanted);
      const similar = candidates.filter((message) => normalizeWhitespace(message.text ?? "").startsWith(head));
      return exact?.ts ?? (similar.length === 1 ? similar[0]?.ts : undefined);
    } catch {
      return undefined;
    }
  }
}

function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
