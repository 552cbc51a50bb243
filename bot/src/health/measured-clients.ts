/*
 * The two outside services, measured where every call passes: the Slack Web API (errors by method)
 * and the model (latency and tokens). Wrapping the clients, not their callers, means a new call site
 * cannot forget to count.
 */
import type { Completion, GlanceClient } from "@glance/core";
import { ErrorCode, WebClient, type WebClientOptions } from "@slack/web-api";
import { slackErrorCodeOf } from "../error-replies.js";
import type { BotMetrics } from "./metrics.js";

/**
 * How a client meets HTTP 429: the call that got it waits Retry-After and is sent again, at most
 * `attempts` times; no other call waits.
 */
export interface RateLimitWaits {
  attempts: number;
  sleep?: (milliseconds: number) => Promise<void>;
}

/**
 * A WebClient that counts every failed call in glance_slack_api_errors_total.
 *
 * With `rateLimitWaits`, a 429 holds up only the call that got it. WebClient's own handling (its
 * default, `rejectRateLimitedCalls: false`) pauses the client's whole request queue for the
 * Retry-After time (WebClient.makeRequest in @slack/web-api 8.2.0: `this.requestQueue.pause()`, sleep,
 * `start()`), so one rate-limited chat.update would stall every other answer's calls of every method,
 * although Slack limits each method separately, per workspace
 * (https://docs.slack.dev/apis/web-api/rate-limits). Here the client rejects a 429 at once
 * (rejectRateLimitedCalls), and this call alone waits and goes again.
 */
export class MeasuredWebClient extends WebClient {
  readonly #metrics: BotMetrics;
  readonly #rateLimitWaits: Required<RateLimitWaits> | undefined;

  constructor(token: string, options: WebClientOptions, metrics: BotMetrics, rateLimitWaits?: RateLimitWaits) {
    super(token, rateLimitWaits === undefined ? options : { ...options, rejectRateLimitedCalls: true });
    this.#metrics = metrics;
    this.#rateLimitWaits =
      rateLimitWaits === undefined
        ? undefined
        : {
            attempts: rateLimitWaits.attempts,
            sleep:
              rateLimitWaits.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds))),
          };
  }

  override async apiCall(method: string, options?: Record<string, unknown>): ReturnType<WebClient["apiCall"]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await super.apiCall(method, options);
      } catch (error) {
        this.#metrics.recordSlackApiError(method, slackErrorCodeOf(error) ?? "unknown");
        const waits = this.#rateLimitWaits;
        if (waits === undefined || attempt > waits.attempts || !isRateLimited(error)) throw error;
        const seconds = (error as { retryAfter?: unknown }).retryAfter;
        await waits.sleep((typeof seconds === "number" && seconds > 0 ? seconds : 1) * 1000);
      }
    }
  }
}

function isRateLimited(error: unknown): boolean {
  return (error as { code?: unknown }).code === ErrorCode.RateLimitedError;
}

/** The model client, with each call's duration, outcome and reported tokens recorded. */
export function measuredGlanceClient(glance: GlanceClient, metrics: BotMetrics): GlanceClient {
  async function measure<T>(call: () => Promise<T>, completionOf: (result: T) => Completion): Promise<T> {
    const startedAt = performance.now();
    try {
      const result = await call();
      const usage = completionOf(result).usage;
      metrics.observeModelCall((performance.now() - startedAt) / 1000, "ok", usage);
      return result;
    } catch (error) {
      metrics.observeModelCall((performance.now() - startedAt) / 1000, "failed", undefined);
      throw error;
    }
  }
  return {
    get baseUrl() {
      return glance.baseUrl;
    },
    get defaultModel() {
      return glance.defaultModel;
    },
    complete: (request, options) =>
      measure(
        () => glance.complete(request, options),
        (completion) => completion,
      ),
    completeStructured: (request, schema, options) =>
      measure(
        () => glance.completeStructured(request, schema, options),
        (structured) => structured.completion,
      ),
  };
}
