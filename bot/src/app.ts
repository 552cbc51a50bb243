import { createGlanceClient, type GlanceClient } from "@glance/core";
import { App } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { answerQuestion } from "./answer-question.js";
import { type BotLogger, boltLoggerOf, consoleLogger } from "./bot-logger.js";
import type { BotServices } from "./bot-services.js";
import { type BotConfig, secretsOf } from "./config.js";
import { ConcurrencyLimit } from "./guardrails/concurrency-limit.js";
import { registerMessageEvents } from "./handlers/message-events.js";
import { registerOcr } from "./handlers/ocr.js";
import type { AnswerQueue } from "./queue/answer-queue.js";
import { createScrubber } from "./secret-scrubber.js";
import { SlackPoster } from "./slack-poster.js";
import { type BotState, createMemoryState } from "./state/bot-state.js";

export interface AppDependencies {
  config: BotConfig;
  /** Where dedup claims, budgets and caches live; in memory unless given. */
  state?: BotState;
  /**
   * Set (GLANCE_REDIS_URL): questions go to this durable queue once claimed, and this process's worker
   * answers jobs from it, whichever replica enqueued them. Unset: questions are answered in this process.
   */
  answerQueue?: AnswerQueue;
  logger?: BotLogger;
  now?: () => number;
  /** Used by the model client. Downloads go through core's downloadUntrusted, which pins the checked address. */
  fetch?: typeof globalThis.fetch;
  /** Origins besides Slack's own file hosts that may receive the bot token (a proxy, or a fake in tests). */
  trustedFileOrigins?: readonly string[];
  /** Origins any download may reach over http or at a private address, never with the token (a proxy, or fakes in tests). */
  downloadOrigins?: readonly string[];
  /** The fastest the answer message is edited while streaming. Default 1,200 ms (chat.update's rate limit). */
  updateIntervalMilliseconds?: number;
  /**
   * How long a chat.postMessage (or chat.startStream) may take before the bot gives up on it and looks
   * in the thread for whether it landed. Default 15,000 ms.
   */
  postTimeoutMilliseconds?: number;
  /**
   * chat.update calls per minute and channel, shared by all answers. Default 50 (Slack's Tier 3). For the
   * default in-memory state only: a given `state` brings its own throttle (`state.updates`).
   */
  chatUpdatesPerMinute?: number;
  /** How long any other Web API call may take (per attempt). Default 30,000 ms. */
  slackTimeoutMilliseconds?: number;
  /** Overrides config.streaming (Slack's streaming API for answers). */
  streaming?: boolean;
  /** Overrides for the Model Studio client (timeouts, retries, sleep in tests). */
  modelClientOptions?: {
    timeoutMilliseconds?: number;
    maxRetries?: number;
    sleep?: (milliseconds: number) => Promise<void>;
  };
}

export interface GlanceSlackApp {
  app: App;
  services: BotServices;
  /** Waits until every answer already started has been posted. */
  idle(): Promise<void>;
}

/** Builds the Bolt app and everything it needs; nothing here reads the environment. */
export function createApp(dependencies: AppDependencies): GlanceSlackApp {
  const { config } = dependencies;
  const scrub = createScrubber(secretsOf(config));
  const logger = dependencies.logger ?? consoleLogger(scrub);
  const boltLogger = boltLoggerOf(logger, scrub);
  const slackApiUrl = config.slackApiUrl === undefined ? {} : { slackApiUrl: config.slackApiUrl };

  const client = new WebClient(config.slackBotToken, {
    ...slackApiUrl,
    logger: boltLogger,
    // Short on purpose: an answer waiting half an hour for Slack is no answer.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
    // Without a timeout, one hung call would hold a concurrency slot forever.
    timeout: dependencies.slackTimeoutMilliseconds ?? 30_000,
  });
  // chat.postMessage is not idempotent: a retried call that had landed would post twice.
  const postClient = new WebClient(config.slackBotToken, {
    ...slackApiUrl,
    logger: boltLogger,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: dependencies.postTimeoutMilliseconds ?? 15_000,
  });

  const glance: GlanceClient = createGlanceClient({
    apiKey: config.dashscopeApiKey,
    apiKeySource: "the DASHSCOPE_API_KEY environment variable",
    ...(config.dashscopeBaseUrl === undefined ? {} : { baseUrl: config.dashscopeBaseUrl }),
    ...(dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch }),
    ...dependencies.modelClientOptions,
    defaultModel: config.model,
    logger: { warn: (message) => logger.warn(message), debug: (message) => logger.debug(message) },
  });

  const pending = new Set<Promise<unknown>>();
  const answerQueue = dependencies.answerQueue;
  const state =
    dependencies.state ??
    createMemoryState({
      ...(dependencies.now === undefined ? {} : { now: dependencies.now }),
      ...(dependencies.chatUpdatesPerMinute === undefined
        ? {}
        : { chatUpdatesPerMinute: dependencies.chatUpdatesPerMinute }),
    });
  const services: BotServices = {
    config,
    state,
    logger,
    scrub,
    client,
    poster: new SlackPoster({ postClient, client, scrub, logger, updateThrottle: state.updates }),
    glance,
    limit: new ConcurrencyLimit(config.maxConcurrentAnswers, config.maxQueuedAnswers),
    fetch: dependencies.fetch ?? globalThis.fetch,
    now: dependencies.now ?? Date.now,
    // The Web API's origin (SLACK_API_URL) receives the bot token with every call already, so files a
    // Slack-compatible server there serves (a proxy, or the fake in tests) may receive it too.
    trustedFileOrigins: [
      ...(config.slackApiUrl === undefined ? [] : [new URL(config.slackApiUrl).origin]),
      ...(dependencies.trustedFileOrigins ?? []),
    ],
    urlOrigins: [...(dependencies.trustedFileOrigins ?? []), ...(dependencies.downloadOrigins ?? [])],
    updateIntervalMilliseconds: dependencies.updateIntervalMilliseconds ?? 1_200,
    streaming: dependencies.streaming ?? config.streaming,
    preparing: new Map(),
    answer: async (question) => {
      if (answerQueue === undefined) await answerQuestion(services, question);
      else await answerQueue.enqueue(question);
    },
    track: (work) => {
      const tracked = work.catch((error: unknown) =>
        logger.error(`Unhandled failure: ${error instanceof Error ? error.message : String(error)}`),
      );
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };

  const appToken = config.slackAppToken;
  const app = new App({
    token: config.slackBotToken,
    logger: boltLogger,
    clientOptions: {
      ...slackApiUrl,
      retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      timeout: dependencies.slackTimeoutMilliseconds ?? 30_000,
    },
    // Bolt's default conversation store keeps state per process; the bot keeps its own in `state`.
    convoStore: false,
    // Ack first (Bolt's default, spelled out because the 3 s guarantee rests on it): Bolt acknowledges
    // an Events API request right after checking its signature and authorization (auth.test, cached),
    // before any middleware or listener runs. The listeners only hand work to `track` and return, so
    // no ack ever waits on the state, a download or the model. Socket Mode acks the same way.
    processBeforeResponse: false,
    // Bolt's own filter (its default, spelled out because no loop guard in the handlers repeats it): events
    // from this app's bot user, and bot_message events from this app, never reach a listener.
    ignoreSelf: true,
    ...(appToken !== undefined
      ? { socketMode: true, appToken }
      : { signingSecret: config.slackSigningSecret ?? "", port: config.port }),
  });

  registerMessageEvents(app, services);
  registerOcr(app, services);
  answerQueue?.start((question, attempt) => answerQuestion(services, question, attempt));
  app.error(async (error) => {
    logger.error(`Bolt reported an error: ${error.message}`);
  });

  return {
    app,
    services,
    idle: async () => {
      while (pending.size > 0) {
        await Promise.allSettled([...pending]);
      }
    },
  };
}
