import { defaultCatalogue, defaultModel } from "@glance/core";
import { z } from "zod";
import type { LogFormat } from "./bot-logger.js";

/** Everything the bot reads from its environment, checked once at start-up. */
export interface BotConfig {
  slackBotToken: string;
  /** Set: Socket Mode. Unset: the HTTP receiver on `port`, verified with `slackSigningSecret`. */
  slackAppToken: string | undefined;
  slackSigningSecret: string | undefined;
  port: number;
  slackApiUrl: string | undefined;
  dashscopeApiKey: string;
  dashscopeBaseUrl: string | undefined;
  model: string;
  /** GLANCE_STRICT_MODELS (default off): refuse a model the catalogue does not know instead of assuming. */
  strictModels: boolean;
  /** What core assumed to resolve a model it does not know; logged once as a warning at start-up. */
  modelAssumption: string | undefined;
  userDailyTokens: number;
  channelDailyTokens: number;
  /**
   * GLANCE_MAX_CONCURRENT (default 16): answers worked on at once; the rest wait in a queue. In the
   * benchmark's burst (test/bench/bot-results.md) 16 keeps the main thread responsive (event-loop delay
   * p99 under 100 ms, acks handled in a few ms) with the same peak memory as 8 and twice its throughput,
   * as answers mostly wait on the model. Higher values finish a burst sooner but run more answers' CPU
   * in front of the next acks, and reach 512 MB of RSS at 100.
   */
  maxConcurrentAnswers: number;
  maxQueuedAnswers: number;
  maxThreadImages: number;
  maxFileBytes: number;
  /** Answers stream with chat.startStream/appendStream/stopStream; off: placeholder + chat.update. */
  streaming: boolean;
  /** Set: state (dedup, caches, budgets) is kept in this JSON file across restarts. */
  storeFile: string | undefined;
  /**
   * GLANCE_FAST_IMAGES (default on): a PNG or JPEG the model service accepts as it is (within 8K,
   * upright, no EXIF/XMP/IPTC, within the base64 limit) is sent as the original bytes instead of being
   * decoded, scaled and re-encoded. Same tokens; it trades upload bytes (a 4K screenshot goes up at
   * about 400 KB instead of about 250 KB) for far less CPU and memory per answer. Photos with metadata
   * (GPS) are always re-encoded, which strips it. Off: every image is re-encoded at the model's size.
   */
  fastImages: boolean;
  /** GLANCE_LOG_FORMAT: "text" (default, `[level] message`) or "json" (one JSON object per line). */
  logFormat: LogFormat;
  /**
   * GLANCE_REDIS_URL (redis:// or rediss://): set, dedup claims, budgets, caches and the chat.update
   * throttle live in this Redis, shared by every replica, and answers go through a durable job queue
   * on it (BullMQ) that any replica works. Unset: the in-process (or GLANCE_STORE_FILE) state of one process.
   */
  redisUrl: string | undefined;
  /** GLANCE_REDIS_PREFIX (default "glance"): the start of every key, so several bots can share one Redis. */
  redisPrefix: string;
}

export class BotConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`The Slack app cannot start:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "BotConfigError";
    this.problems = problems;
  }
}

const positiveWhole = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!Number.isInteger(number) || number <= 0) {
        context.addIssue({ code: "custom", message: `${name} must be a whole number above 0 (it is "${value}").` });
        return z.NEVER;
      }
      return number;
    });

// Secret-carrying variables get messages that never quote the value.
const environmentSchema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: "SLACK_BOT_TOKEN is not set. Copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions." })
    .refine((value) => value.startsWith("xoxb-"), {
      message: "SLACK_BOT_TOKEN does not start with xoxb-: use the Bot User OAuth Token, not a user or app token.",
    }),
  SLACK_APP_TOKEN: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.startsWith("xapp-"), {
      message: "SLACK_APP_TOKEN does not start with xapp-: create an app-level token with connections:write.",
    }),
  SLACK_SIGNING_SECRET: z.string().optional(),
  PORT: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return 3000;
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        context.addIssue({ code: "custom", message: `PORT must be a port number from 0 to 65535 (it is "${value}").` });
        return z.NEVER;
      }
      return port;
    }),
  SLACK_API_URL: z.url({ error: "SLACK_API_URL is not a URL (for example https://slack.com/api/)." }).optional(),
  DASHSCOPE_API_KEY: z.string({
    error: "DASHSCOPE_API_KEY is not set. Create a Model Studio API key in the console of your region.",
  }),
  DASHSCOPE_BASE_URL: z
    .url({
      error: "DASHSCOPE_BASE_URL is not a URL (for example https://dashscope-intl.aliyuncs.com/compatible-mode/v1).",
    })
    .optional(),
  GLANCE_MODEL: z.string().default(defaultModel),
  GLANCE_STRICT_MODELS: z
    .enum(["on", "off", "true", "false"], { error: 'GLANCE_STRICT_MODELS must be "on" or "off".' })
    .optional(),
  GLANCE_USER_DAILY_TOKENS: positiveWhole("GLANCE_USER_DAILY_TOKENS", 500_000),
  GLANCE_CHANNEL_DAILY_TOKENS: positiveWhole("GLANCE_CHANNEL_DAILY_TOKENS", 2_000_000),
  GLANCE_MAX_CONCURRENT: positiveWhole("GLANCE_MAX_CONCURRENT", 16),
  GLANCE_MAX_QUEUED: positiveWhole("GLANCE_MAX_QUEUED", 200),
  GLANCE_MAX_THREAD_IMAGES: positiveWhole("GLANCE_MAX_THREAD_IMAGES", 4),
  GLANCE_MAX_FILE_MB: positiveWhole("GLANCE_MAX_FILE_MB", 200),
  GLANCE_STREAMING: z
    .enum(["on", "off", "true", "false"], { error: 'GLANCE_STREAMING must be "on" or "off".' })
    .optional(),
  GLANCE_STORE_FILE: z.string().optional(),
  GLANCE_FAST_IMAGES: z
    .enum(["on", "off", "true", "false"], { error: 'GLANCE_FAST_IMAGES must be "on" or "off".' })
    .optional(),
  GLANCE_LOG_FORMAT: z.enum(["text", "json"], { error: 'GLANCE_LOG_FORMAT must be "text" or "json".' }).default("text"),
  // The URL may carry a password: the messages never quote it.
  GLANCE_REDIS_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || isRedisUrl(value), {
      message: "GLANCE_REDIS_URL is not a Redis URL: use redis://[:password@]host:port[/db] (or rediss:// for TLS).",
    }),
  GLANCE_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.{}-]+(:[A-Za-z0-9_.{}-]+)*$/, {
      message: "GLANCE_REDIS_PREFIX may hold only letters, digits, _ . - { } and single colons (for example glance).",
    })
    .default("glance"),
});

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** Reads and checks the environment; every problem is reported at once, one line each. */
export function loadConfig(environment: Record<string, string | undefined>): BotConfig {
  // An empty variable counts as not set, as in a .env file with `NAME=`.
  const cleaned = Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => (entry[1] ?? "").trim() !== ""),
  );
  const parsed = environmentSchema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => messageOf(issue));
  if (cleaned.SLACK_APP_TOKEN === undefined && cleaned.SLACK_SIGNING_SECRET === undefined) {
    problems.push(
      "SLACK_SIGNING_SECRET is not set. Set it (Basic Information > Signing Secret) for the HTTP receiver, " +
        "or set SLACK_APP_TOKEN (xapp-...) to use Socket Mode.",
    );
  }
  if (parsed.success) {
    const values = parsed.data;
    const model = values.GLANCE_MODEL;
    const strictModels =
      values.GLANCE_STRICT_MODELS !== undefined && ["on", "true"].includes(values.GLANCE_STRICT_MODELS);
    let modelAssumption: string | undefined;
    try {
      modelAssumption = defaultCatalogue.resolve(model, { strictModels }).assumption;
    } catch (error) {
      problems.push(`GLANCE_MODEL: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (problems.length === 0) {
      return {
        slackBotToken: values.SLACK_BOT_TOKEN,
        slackAppToken: values.SLACK_APP_TOKEN,
        slackSigningSecret: values.SLACK_SIGNING_SECRET,
        port: values.PORT,
        slackApiUrl: values.SLACK_API_URL,
        dashscopeApiKey: values.DASHSCOPE_API_KEY,
        dashscopeBaseUrl: values.DASHSCOPE_BASE_URL,
        model,
        strictModels,
        modelAssumption,
        userDailyTokens: values.GLANCE_USER_DAILY_TOKENS,
        channelDailyTokens: values.GLANCE_CHANNEL_DAILY_TOKENS,
        maxConcurrentAnswers: values.GLANCE_MAX_CONCURRENT,
        maxQueuedAnswers: values.GLANCE_MAX_QUEUED,
        maxThreadImages: values.GLANCE_MAX_THREAD_IMAGES,
        maxFileBytes: values.GLANCE_MAX_FILE_MB * 1024 * 1024,
        streaming: values.GLANCE_STREAMING === undefined || ["on", "true"].includes(values.GLANCE_STREAMING),
        storeFile: values.GLANCE_STORE_FILE,
        fastImages: values.GLANCE_FAST_IMAGES === undefined || ["on", "true"].includes(values.GLANCE_FAST_IMAGES),
        logFormat: values.GLANCE_LOG_FORMAT,
        redisUrl: values.GLANCE_REDIS_URL,
        redisPrefix: values.GLANCE_REDIS_PREFIX,
      };
    }
  }
  throw new BotConfigError(problems);
}

/**
 * The log format asked for, read on its own: problems with the rest of the configuration are reported
 * in this format too, before a configuration exists.
 */
export function logFormatOf(environment: Record<string, string | undefined>): LogFormat {
  return environment.GLANCE_LOG_FORMAT?.trim() === "json" ? "json" : "text";
}

function messageOf(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? "configuration");
  // Our own messages already start with the variable's name; zod's generic ones get it prefixed.
  return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
}

/** The secrets of a configuration, for scrubbing logs and replies. */
export function secretsOf(config: BotConfig): string[] {
  return [
    config.slackBotToken,
    config.slackAppToken,
    config.slackSigningSecret,
    config.dashscopeApiKey,
    redisPasswordOf(config.redisUrl),
  ].filter((secret): secret is string => secret !== undefined && secret.length >= 8);
}

/** The password in a Redis URL (redis://:password@host or redis://user:password@host), if any. */
function redisPasswordOf(redisUrl: string | undefined): string | undefined {
  if (redisUrl === undefined) return undefined;
  const password = new URL(redisUrl).password;
  return password === "" ? undefined : decodeURIComponent(password);
}
