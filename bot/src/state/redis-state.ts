import type { Redis } from "ioredis";
import type { UpdateThrottle } from "../guardrails/update-throttle.js";
import type { BotState } from "./bot-state.js";
import type { EventClaims } from "./event-claims.js";
import type { MediaCache } from "./media-cache.js";
import { connectRedis, type RedisConnectionLogger } from "./redis-connection.js";
import { RedisEventClaims } from "./redis-event-claims.js";
import { RedisMediaCache } from "./redis-media-cache.js";
import { RedisThreadCache } from "./redis-thread-cache.js";
import { RedisTokenBudgets } from "./redis-token-budgets.js";
import { RedisUpdateThrottle } from "./redis-update-throttle.js";
import type { ThreadCache } from "./thread-cache.js";
import type { TokenBudgets } from "./token-budgets.js";

export interface RedisStateOptions {
  /** GLANCE_REDIS_URL. */
  url: string;
  /** GLANCE_REDIS_PREFIX: every key starts with it and a colon. */
  prefix: string;
  logger: RedisConnectionLogger;
  /** chat.update calls per minute and workspace, over all replicas. Default 50. */
  chatUpdatesPerMinute?: number;
  /** The most bytes of prepared media kept in Redis. Default 256 MB. */
  maxMediaBytes?: number;
}

/**
 * The bot's state in one Redis, shared by any number of replicas (GLANCE_REDIS_URL): dedup claims (SET
 * NX PX), daily budgets (Lua scripts over both counters), the media and thread caches (values with a
 * lifetime) and the chat.update throttle (a token bucket per workspace on the server's clock). Every
 * operation is one command or one script, so replicas never see each other's half-done changes. It
 * survives restarts of the bot as well as Redis keeps its data (persistence is Redis's own setting).
 */
export class RedisState implements BotState {
  readonly claims: EventClaims;
  readonly budgets: TokenBudgets;
  readonly media: MediaCache;
  readonly threads: ThreadCache;
  readonly updates: UpdateThrottle;
  readonly #redis: Redis;

  private constructor(redis: Redis, options: RedisStateOptions) {
    this.#redis = redis;
    const { prefix } = options;
    this.claims = new RedisEventClaims(redis, prefix);
    this.budgets = new RedisTokenBudgets(redis, prefix);
    this.media = new RedisMediaCache(
      redis,
      prefix,
      options.maxMediaBytes === undefined ? {} : { maxBytes: options.maxMediaBytes },
    );
    this.threads = new RedisThreadCache(redis, prefix);
    this.updates = new RedisUpdateThrottle(
      redis,
      prefix,
      options.chatUpdatesPerMinute === undefined ? {} : { perMinute: options.chatUpdatesPerMinute },
    );
  }

  /** Connects (failing in one line when Redis cannot be reached) and returns the state. */
  static async open(options: RedisStateOptions): Promise<RedisState> {
    const redis = await connectRedis(options.url, {
      purpose: "state",
      logger: options.logger,
      // A call that cannot reach Redis fails after a few seconds instead of holding an answer forever:
      // the answer then ends with an error reply.
      redisOptions: { maxRetriesPerRequest: 2, commandTimeout: 5_000 },
    });
    return new RedisState(redis, options);
  }

  /** Closes the connection: politely when Redis answers within a second, at once otherwise (shutdown must not hang). */
  async close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#redis.quit().catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
    this.#redis.disconnect();
  }
}
