/**
 * A token bucket per channel for chat.update: Slack allows about 50 edits a minute, shared by every
 * answer in the channel, so 16 concurrent answers must share one budget instead of each editing at
 * its own pace. Progress edits are skipped when no token is left (the next or the final edit shows the
 * text); final edits wait for one.
 */
export class UpdateThrottle {
  readonly #capacity: number;
  readonly #refillPerMillisecond: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(options: { perMinute: number; now?: () => number }) {
    // A burst of a sixth of the minute's budget, then the steady rate.
    this.#capacity = Math.max(1, Math.floor(options.perMinute / 6));
    this.#refillPerMillisecond = options.perMinute / 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes a token if one is there; false means "skip this edit". */
  tryTake(channel: string): boolean {
    const bucket = this.#refill(channel);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Waits until a token is there, then takes it. */
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
