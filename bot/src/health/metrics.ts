/*
 * The bot's Prometheus metrics, served at GET /metrics (prom-client's text format). One registry per
 * app (not prom-client's global one), so several apps in one process (tests) never share counters.
 *
 * - glance_answers_total{outcome}: every question handled, by how it ended (see AnswerOutcome);
 * - glance_answer_queue_depth: answers waiting for a slot right now (sampled when scraped);
 * - glance_answer_queue_wait_seconds: how long an answer waited for its slot;
 * - glance_model_request_duration_seconds{outcome}: one model call (retries and continuations included);
 * - glance_model_tokens_total{kind}: tokens the service reported (input, output);
 * - glance_downloads_total{source,outcome} and glance_download_bytes_total{source}: Slack files and `/ocr` links;
 * - glance_slack_api_errors_total{method,error}: failed Web API calls by method and Slack's error code;
 * - plus Node's process metrics (memory, CPU, event-loop delay, GC) with the prefix glance_.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * How a question ended: answered in full; answered, but the model stopped early (partial); a failure
 * told in the thread (failed); refused at once because too many answers were waiting (queue_full);
 * nothing to look at in the message or its thread (no_media).
 */
export type AnswerOutcome = "answered" | "partial" | "failed" | "queue_full" | "no_media";

export type DownloadSource = "slack_file" | "image_link";

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Answers wait seconds to minutes; model calls take from under a second to minutes (a video). */
const waitBuckets = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const modelBuckets = [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 240];

export class BotMetrics {
  readonly registry: Registry;
  readonly #answers: Counter<"outcome">;
  readonly #queueWait: Histogram;
  readonly #modelDuration: Histogram<"outcome">;
  readonly #tokens: Counter<"kind">;
  readonly #downloads: Counter<"source" | "outcome">;
  readonly #downloadBytes: Counter<"source">;
  readonly #slackErrors: Counter<"method" | "error">;
  #queueDepth: () => number | Promise<number> = () => 0;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    this.#answers = new Counter({
      name: "glance_answers_total",
      help: "Questions handled, by how they ended.",
      labelNames: ["outcome"],
      registers,
    });
    const sampleQueueDepth = () => this.#queueDepth();
    new Gauge({
      name: "glance_answer_queue_depth",
      help: "Answers waiting for a free slot right now.",
      registers,
      async collect() {
        this.set(await sampleQueueDepth());
      },
    });
    this.#queueWait = new Histogram({
      name: "glance_answer_queue_wait_seconds",
      help: "How long an answer waited for a free slot.",
      buckets: waitBuckets,
      registers,
    });
    this.#modelDuration = new Histogram({
      name: "glance_model_request_duration_seconds",
      help: "Duration of one model call, retries and continuations included, by outcome.",
      labelNames: ["outcome"],
      buckets: modelBuckets,
      registers,
    });
    this.#tokens = new Counter({
      name: "glance_model_tokens_total",
      help: "Tokens the model service reported using, by kind (input, output).",
      labelNames: ["kind"],
      registers,
    });
    this.#downloads = new Counter({
      name: "glance_downloads_total",
      help: "Downloads of Slack files and /ocr links, by source and outcome.",
      labelNames: ["source", "outcome"],
      registers,
    });
    this.#downloadBytes = new Counter({
      name: "glance_download_bytes_total",
      help: "Bytes downloaded, by source.",
      labelNames: ["source"],
      registers,
    });
    this.#slackErrors = new Counter({
      name: "glance_slack_api_errors_total",
      help: "Slack Web API calls that failed, by method and Slack's error code.",
      labelNames: ["method", "error"],
      registers,
    });
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: registry, prefix: "glance_" });
    }
  }

  recordAnswer(outcome: AnswerOutcome): void {
    this.#answers.inc({ outcome });
  }

  /**
   * Where the queue depth comes from: the in-process concurrency limit by default, or a shared queue
   * (a replica's view of a queue in Redis) when one replaces it. Sampled at each scrape.
   */
  measureQueueDepth(sample: () => number | Promise<number>): void {
    this.#queueDepth = sample;
  }

  observeQueueWait(seconds: number): void {
    this.#queueWait.observe(seconds);
  }

  observeModelCall(seconds: number, outcome: "ok" | "failed", usage: ModelUsage | undefined): void {
    this.#modelDuration.observe({ outcome }, seconds);
    if (usage !== undefined) {
      this.#tokens.inc({ kind: "input" }, usage.inputTokens);
      this.#tokens.inc({ kind: "output" }, usage.outputTokens);
    }
  }

  recordDownload(source: DownloadSource, outcome: "ok" | "failed", bytes: number): void {
    this.#downloads.inc({ source, outcome });
    if (bytes > 0) this.#downloadBytes.inc({ source }, bytes);
  }

  recordSlackApiError(method: string, error: string): void {
    // Labels stay a small, known set: Slack's error codes are short snake_case words.
    this.#slackErrors.inc({
      method: /^[a-zA-Z.]{1,64}$/.test(method) ? method : "other",
      error: /^[a-z0-9_]{1,64}$/.test(error) ? error : "other",
    });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
