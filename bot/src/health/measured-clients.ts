/*
 * The two outside services, measured where every call passes: the Slack Web API (errors by method)
 * and the model (latency and tokens). Wrapping the clients, not their callers, means a new call site
 * cannot forget to count.
 */
import type { Completion, GlanceClient } from "@glance/core";
import { WebClient, type WebClientOptions } from "@slack/web-api";
import { slackErrorCodeOf } from "../error-replies.js";
import type { BotMetrics } from "./metrics.js";

/** A WebClient that counts every failed call in glance_slack_api_errors_total. */
export class MeasuredWebClient extends WebClient {
  readonly #metrics: BotMetrics;

  constructor(token: string, options: WebClientOptions, metrics: BotMetrics) {
    super(token, options);
    this.#metrics = metrics;
  }

  override async apiCall(method: string, options?: Record<string, unknown>): ReturnType<WebClient["apiCall"]> {
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      this.#metrics.recordSlackApiError(method, slackErrorCodeOf(error) ?? "unknown");
      throw error;
    }
  }
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
