import type { Redis } from "ioredis";
import { bucketOf, defaultChatUpdatesPerMinute, type UpdateThrottle } from "../guardrails/update-throttle.js";
import { RedisScript } from "./redis-script.js";

/**
 * One take from a workspace's bucket, on the server's clock (TIME), so replicas with skewed clocks share
 * one budget. KEYS: the bucket. ARGV: capacity, refill per millisecond. Returns 0 when a token was
 * taken, else the milliseconds until one will be there (nothing is taken then).
 */
const takeScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or capacity
local at = tonumber(bucket[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return wait
`);

/**
 * The workspaces' chat.update budgets shared by every replica: Slack counts chat.update per app and
 * workspace (guardrails/update-throttle.ts), so two replicas editing at 50 a minute each would be
 * rate-limited. One script per take; a bucket that has refilled completely expires, so an idle
 * workspace leaves nothing behind.
 */
export class RedisUpdateThrottle implements UpdateThrottle {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #capacity: number;
  readonly #refillPerMillisecond: number;

  constructor(redis: Redis, prefix: string, options: { perMinute?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    const bucket = bucketOf(options.perMinute ?? defaultChatUpdatesPerMinute);
    this.#capacity = bucket.capacity;
    this.#refillPerMillisecond = bucket.refillPerMillisecond;
  }

  async tryTake(workspace: string): Promise<boolean> {
    return (await this.#take(workspace)) === 0;
  }

  async take(workspace: string): Promise<void> {
    for (;;) {
      const wait = await this.#take(workspace);
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async #take(workspace: string): Promise<number> {
    const wait = await takeScript.run(
      this.#redis,
      [`${this.#prefix}:chat-updates:${workspace}`],
      [this.#capacity, this.#refillPerMillisecond],
    );
    return Number(wait);
  }
}
