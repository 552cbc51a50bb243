/** Slack's Tier 3 rate for chat.update: about 50 calls a minute, per channel, for the whole app. */
export const defaultChatUpdatesPerMinute = 50;

/**
 * A token bucket per channel for chat.update: Slack allows about 50 edits a minute, shared by every
 * answer in the channel (and by every replica of the app), so 16 concurrent answers must share one
 * budget instead of each editing at its own pace. Progress edits are skipped when no token is left (the
 * next or the final edit shows the text); final edits wait for one. A shared backend keeps the buckets
 * where every replica takes from them (Redis: one script per take, state/redis-update-throttle.ts).
 */
export interface UpdateThrottle {
  /** Takes a token if one is there; false means "skip this edit". */
  tryTake(channel: string): Promise<boolean>;
  /** Waits until a token is there, then takes it. */
  take(channel: string): Promise<void>;
}

/** The bucket's shape for a rate: a burst of a sixth of the minute's budget, then the steady rate. */
export function bucketOf(perMinute: number): { capacity: number; refillPerMillisecond: number } {
  return { capacity: Math.max(1, Math.floor(perMinute / 6)), refillPerMillisecond: perMinute / 60_000 };
}

/** The buckets of this process: right for one process, and the default without a shared backend. */
export class MemoryUpdateThrottle implements UpdateThrottle {
  readonly #capacity: number;
  readonly #refillPerMillisecond: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(options: { perMinute?: number; now?: () => number } = {}) {
    const bucket = bucketOf(options.perMinute ?? defaultChatUpdatesPerMinute);
    this.#capacity = bucket.capacity;
    this.#refillPerMillisecond = bucket.refillPerMillisecond;
    this.#now = options.now ?? Date.now;
  }

  async tryTake(channel: string): Promise<boolean> {
    const bucket = this.#refill(channel);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  async take(channel: string): Promise<void> {
    for (;;) {
      const bucket = this.#refill(channel);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const wait = Math.ceil((1 - bucket.tokens) / this.#refillPerMillisecond);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  #refill(channel: string): { tokens: number; updatedAt: number } {
    const now = this.#now();
    let bucket = this.#buckets.get(channel);
    if (bucket === undefined) {
      bucket = { tokens: this.#capacity, updatedAt: now };
      this.#buckets.set(channel, bucket);
    }
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMillisecond);
    bucket.updatedAt = now;
    // Channels at full capacity carry no state worth keeping.
    if (bucket.tokens >= this.#capacity && this.#buckets.size > 10_000) this.#buckets.delete(channel);
    return bucket;
  }
}
