import type { Redis } from "ioredis";
import type { EventClaims } from "./event-claims.js";

/**
 * Claims shared by every replica: one SET NX PX each, which Redis runs atomically, so of two replicas
 * handed the same event (a Slack retry, or a mention delivered as app_mention and as message) exactly
 * one gets true. A claim lives its full lifetime; Redis frees it when the lifetime ends.
 */
export class RedisEventClaims implements EventClaims {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async claim(id: string, lifetimeMilliseconds: number): Promise<boolean> {
    const result = await this.#redis.set(
      `${this.#prefix}:claim:${id}`,
      "1",
      "PX",
      Math.max(1, Math.ceil(lifetimeMilliseconds)),
      "NX",
    );
    return result === "OK";
  }
}
