import type { WebClient } from "@slack/web-api";
import { ErrorCode } from "@slack/web-api";
import type { BotLogger } from "./bot-logger.js";
import { slackErrorCodeOf } from "./error-replies.js";
import { neutralizeMassMentions } from "./neutralize.js";

export interface PostTarget {
  channel: string;
  threadTs: string | undefined;
}

/** Who a streamed answer is for; Slack requires both outside direct messages. */
export interface StreamRecipient {
  userId: string | undefined;
  teamId: string | undefined;
}

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

  constructor(options: {
    postClient: WebClient;
    client: WebClient;
    scrub: (text: string) => string;
    logger: BotLogger;
    sleep?: (milliseconds: number) => Promise<void>;
  }) {
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

  async appendStream(channel: string, ts: string, markdown: string): Promise<void> {
    await this.#postClient.chat.appendStream({ channel, ts, markdown_text: markdown });
  }

  async stopStream(channel: string, ts: string): Promise<void> {
    await this.#postClient.chat.stopStream({ channel, ts });
  }

  async update(channel: string, ts: string, text: string): Promise<void> {
    await this.#client.chat.update({ channel, ts, text: this.clean(text) });
  }

  async #findLanded(target: PostTarget, text: string, since: number): Promise<string | undefined> {
    try {
      const replies = await this.#client.conversations.replies({
        channel: target.channel,
        ts: target.threadTs ?? "",
        oldest: String(since - 5),
        limit: 50,
      });
      const found = replies.messages?.find((message) => message.bot_id !== undefined && message.text === text);
      return found?.ts;
    } catch {
      return undefined;
    }
  }
}
