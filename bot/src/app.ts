import { countTextTokens, createGlanceClient, type GlanceClient } from "@glance/core";
import { App } from "@slack/bolt";
import { answerQuestion, replyGivenUp, replyQueueFull } from "./answer-question.js";
import { type BotLogger, boltLoggerOf, consoleLogger } from "./bot-logger.js";
import type { BotServices } from "./bot-services.js";
import { type BotConfig, secretsOf } from "./config.js";
import { ConcurrencyLimit } from "./guardrails/concurrency-limit.js";
import { registerMessageEvents } from "./handlers/message-events.js";
import { registerOcr } from "./handlers/ocr.js";
import { modelEndpointCheck, SlackAuthentication, slackCheckClientOptions } from "./health/dependency-checks.js";
import { type HealthEndpoints, healthListener, healthRoutes } from "./health/health-routes.js";
import { MeasuredWebClient, measuredGlanceClient } from "./health/measured-clients.js";
import { BotMetrics } from "./health/metrics.js";
import { checkReadiness, type ReadinessCheck, type ReadinessReport } from "./health/readiness.js";
import type { AnswerQueue } from "./queue/answer-queue.js";
import { createScrubber } from "./secret-scrubber.js";
import { SlackPoster } from "./slack-poster.js";
import { SocketModeHealthReceiver } from "./socket-mode-receiver.js";
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
   * chat.update calls per minute and workspace, shared by all answers. Default 50 (Slack's Tier 3). For the
   * default in-memory state only: a given `state` brings its own throttle (`state.updates`).
   */
  chatUpdatesPerMinute?: number;
  /** How long any other Web API call may take (per attempt). Default 30,000 ms. */
  slackTimeoutMilliseconds?: number;
  /** Overrides config.streaming (Slack's streaming API for answers). */
  streaming?: boolean;
  /**
   * Readiness checks besides the app's own (Slack's auth.test, the model endpoint configured): a shared
   * backend adds its own (Redis reachable). Start-up runs them all before saying "running", and /readyz
   * answers 503 while one fails.
   */
  readinessChecks?: readonly ReadinessCheck[];
  /** Each readiness check's time limit in /readyz. Default 5,000 ms. */
  readinessTimeoutMilliseconds?: number;
  /** How long /readyz reuses a Slack auth.test result. Default 30,000 ms. */
  slackCheckCacheMilliseconds?: number;
  /**
   * Socket Mode: the client pings Slack every third of this and reconnects (once) when a pong is later
   * than this. Default 5,000 ms, the client's own.
   */
  socketModePingTimeoutMilliseconds?: number;
  /** Overrides for the Model Studio client (timeouts, retries, sleep in tests). */
  modelClientOptions?: {
    timeoutMilliseconds?: number;
    maxRetries?: number;
    sleep?: (milliseconds: number) => Promise<void>;
  };
}

export interface GlanceSlackApp {
  /**
   * The Bolt app. `app.start(port)` serves Slack's requests (HTTP mode) or connects to Slack (Socket
   * Mode), with /healthz, /readyz and /metrics on `port` either way, and resolves with the HTTP server.
   */
  app: App;
  services: BotServices;
  metrics: BotMetrics;
  /** Every readiness check: the app's own and the ones given in the dependencies. */
  readinessChecks: readonly ReadinessCheck[];
  /** Runs every readiness check now (what /readyz answers); not ready once shutdown has begun. */
  readiness(): Promise<ReadinessReport>;
  /** Marks the app as shutting down: /readyz answers 503 from now on. */
  beginShutdown(): void;
  /**
   * Loads what the first answer would otherwise load: core's tokenizer, whose set-up blocks the event
   * loop for a moment (seconds on a busy machine). Done before start, it delays no ack, and in Socket
   * Mode no ping goes unanswered long enough to drop the connection.
   */
  warmUp(): Promise<void>;
  /** Waits until every answer already started has been posted. */
  idle(): Promise<void>;
}

/** Builds the Bolt app and everything it needs; nothing here reads the environment. */
export function createApp(dependencies: AppDependencies): GlanceSlackApp {
  const { config } = dependencies;
  const scrub = createScrubber(secretsOf(config));
  const logger = dependencies.logger ?? consoleLogger(scrub);
  if (config.modelAssumption !== undefined) {
    logger.warn(config.modelAssumption);
  }
  const boltLogger = boltLoggerOf(logger, scrub);
  const slackApiUrl = config.slackApiUrl === undefined ? {} : { slackApiUrl: config.slackApiUrl };
  const metrics = new BotMetrics();

  // Both clients count their failed calls by method (glance_slack_api_errors_total).
  const client = new MeasuredWebClient(
    config.slackBotToken,
    {
      ...slackApiUrl,
      logger: boltLogger,
      // Short on purpose: an answer waiting half an hour for Slack is no answer.
      retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      // Without a timeout, one hung call would hold a concurrency slot forever.
      timeout: dependencies.slackTimeoutMilliseconds ?? 30_000,
    },
    metrics,
    // A 429 holds up only the call that got it, never every other answer's calls (measured-clients.ts).
    { attempts: 3 },
  );
  // chat.postMessage is not idempotent: a retried call that had landed would post twice.
  const postClient = new MeasuredWebClient(
    config.slackBotToken,
    {
      ...slackApiUrl,
      logger: boltLogger,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: dependencies.postTimeoutMilliseconds ?? 15_000,
    },
    metrics,
  );
  const slackAuthentication = new SlackAuthentication({
    client: new MeasuredWebClient(config.slackBotToken, slackCheckClientOptions(config.slackApiUrl), metrics),
    apiUrl: config.slackApiUrl,
    ...(dependencies.slackCheckCacheMilliseconds === undefined
      ? {}
      : { cacheMilliseconds: dependencies.slackCheckCacheMilliseconds }),
  });

  const unmeasuredGlance: GlanceClient = createGlanceClient({
    apiKey: config.dashscopeApiKey,
    apiKeySource: "the DASHSCOPE_API_KEY environment variable",
    ...(config.dashscopeBaseUrl === undefined ? {} : { baseUrl: config.dashscopeBaseUrl }),
    ...(dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch }),
    ...dependencies.modelClientOptions,
    defaultModel: config.model,
    logger: { warn: (message) => logger.warn(message), debug: (message) => logger.debug(message) },
  });
  // Every model call's latency and tokens (glance_model_*), whichever handler makes it.
  const glance = measuredGlanceClient(unmeasuredGlance, metrics);

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
    metrics,
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
    ...(answerQueue === undefined ? {} : { sharedQueue: answerQueue }),
    answer: async (question) => {
      if (answerQueue === undefined) await answerQuestion(services, question);
      else if (!(await answerQueue.enqueue(question))) await replyQueueFull(services, question);
    },
    track: (work) => {
      const tracked = work.catch((error: unknown) =>
        logger.error(`Unhandled failure: ${error instanceof Error ? error.message : String(error)}`),
      );
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };

  metrics.measureQueueDepth(() => services.limit.waiting);

  const readinessChecks: readonly ReadinessCheck[] = [
    slackAuthentication,
    modelEndpointCheck({ apiKey: config.dashscopeApiKey, baseUrl: glance.baseUrl }),
    ...(dependencies.readinessChecks ?? []),
  ];
  let shuttingDown = false;
  const readiness = async (): Promise<ReadinessReport> => {
    const report = await checkReadiness(readinessChecks, dependencies.readinessTimeoutMilliseconds ?? 5_000);
    return shuttingDown
      ? { ready: false, checks: [...report.checks, { name: "shutdown", ready: false, problem: "shutting down." }] }
      : report;
  };
  const health: HealthEndpoints = { readiness, metrics, scrub };

  const appToken = config.slackAppToken;
  const app = new App({
    // Who the bot is comes from our own auth.test (see SlackAuthentication): a failure there is one
    // line at start-up and is tried again later, never a rejection Bolt keeps for good.
    authorize: async () => ({ botToken: config.slackBotToken, ...(await slackAuthentication.identity()) }),
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
      ? {
          receiver: new SocketModeHealthReceiver({
            appToken,
            logger: boltLogger,
            slackApiUrl: config.slackApiUrl,
            listener: healthListener(health),
            ...(dependencies.socketModePingTimeoutMilliseconds === undefined
              ? {}
              : { clientPingTimeoutMilliseconds: dependencies.socketModePingTimeoutMilliseconds }),
          }),
        }
      : {
          signingSecret: config.slackSigningSecret ?? "",
          port: config.port,
          customRoutes: healthRoutes(health),
        }),
  });

  registerMessageEvents(app, services);
  registerOcr(app, services);
  answerQueue?.start(
    (question, attempt) => answerQuestion(services, question, attempt),
    (given) => replyGivenUp(services, given.question, given.posted, given.stoppedAttempts),
  );
  app.error(async (error) => {
    logger.error(`Bolt reported an error: ${error.message}`);
  });

  return {
    app,
    services,
    metrics,
    readinessChecks,
    readiness,
    beginShutdown: () => {
      shuttingDown = true;
    },
    warmUp: async () => {
      await countTextTokens("Glance");
    },
    idle: async () => {
      while (pending.size > 0) {
        await Promise.allSettled([...pending]);
      }
    },
  };
}
