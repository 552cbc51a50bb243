import type { GlanceClient, PreparedMedia } from "@glance/core";
import type { WebClient } from "@slack/web-api";
import type { IncomingQuestion } from "./answer-question.js";
import type { BotLogger } from "./bot-logger.js";
import type { BotConfig } from "./config.js";
import type { ConcurrencyLimit } from "./guardrails/concurrency-limit.js";
import type { BotMetrics } from "./health/metrics.js";
import type { SlackPoster } from "./slack-poster.js";
import type { BotState } from "./state/bot-state.js";

/** What every handler works with; built once by createApp. */
export interface BotServices {
  config: BotConfig;
  /** Dedup claims, budgets and caches, each behind its own interface. */
  state: BotState;
  logger: BotLogger;
  scrub: (text: string) => string;
  /** Reads and idempotent writes (retries allowed). */
  client: WebClient;
  poster: SlackPoster;
  glance: GlanceClient;
  limit: ConcurrencyLimit;
  /** Prometheus metrics (/metrics): answers, queue, model calls, downloads; Slack errors are counted by the clients. */
  metrics: BotMetrics;
  fetch: typeof globalThis.fetch;
  now: () => number;
  trustedFileOrigins: readonly string[];
  /** Origins any download (a Slack file, `/ocr <URL>`) may reach although they are not https or not public (tests, proxies). */
  urlOrigins: readonly string[];
  updateIntervalMilliseconds: number;
  /** Whether answers use Slack's streaming API (config.streaming unless a dependency overrides it). */
  streaming: boolean;
  /** Media being prepared right now (in this process), so concurrent answers share one download and decode. */
  preparing: Map<string, Promise<PreparedMedia>>;
  /**
   * Set with the durable queue (GLANCE_REDIS_URL): the queue shared by every replica, where work run in
   * this process (/ocr, the shortcuts) takes a place too, so GLANCE_MAX_QUEUED holds across replicas.
   */
  sharedQueue?: { reserve(): Promise<(() => Promise<void>) | undefined> };
  /** Work started after an ack, so shutdown (and tests) can wait for it. */
  track(work: Promise<unknown>): void;
  /**
   * Hands over a question whose event was acknowledged and claimed: answered in this process, or added
   * to the durable queue that any replica works (GLANCE_REDIS_URL). Rejects only when it could not be
   * handed over (Redis unreachable), or when even the error reply could not be posted.
   */
  answer(question: IncomingQuestion): Promise<void>;
}
