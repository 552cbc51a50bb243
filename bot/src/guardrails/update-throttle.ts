/** Slack's Tier 3 rate for chat.update: about 50 calls a minute, per workspace, for the whole app. */
export const defaultChatUpdatesPerMinute = 50;

/**
 * A token bucket per workspace for chat.update. Slack evaluates an app's Web API calls "per method, per
 * workspace" (https://docs.slack.dev/apis/web-api/rate-limits), and chat.update is Tier 3 ("50+ per
 * minute", https://docs.slack.dev/reference/methods/chat.update): every answer in every workspace of a
 * workspace (and every replica of the app) shares one budget, so 16 concurrent answers must share it
 * instead of each editing at its own pace. Progress edits are skipped when no token is left (the next
 * or the final edit shows the text); final edits wait for one. A shared backend keeps the buckets where
 * every replica takes from them (Redis: one script per take, state/redis-update-throttle.ts).
 */
export interface UpdateThrottle {
  /** Takes a token of the workspace's bucket if one is there; false means "skip this edit". */
  tryTake(workspace: string): Promise<boolean>;
  /** Waits until a token of the workspace's bucket is there, then takes it. */
  take(workspace: string): Promise<void>;
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

  async tryTake(workspace: string): Promise<boolean> {
    const bucket = this.#refill(workspace);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  async take(workspace: string): Promise<void> {
    for (;;) {
      const bucket = this.#refill(workspace);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const wait = Math.ceil((1 - bucket.tokens) / this.#refillPerMillisecond);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  #refill(workspace: string): { tokens: number; updatedAt: number } {
    const now = this.#now();
    let bucket = this.#buckets.get(workspace);
    if (bucket === undefined) {
      bucket = { tokens: this.#capacity, updatedAt: now };
      this.#buckets.set(workspace, bucket);
    }
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.updatedAt) * this.#refillPerMillisecond);
    bucket.updatedAt = now;
    // Workspaces at full capacity carry no state worth keeping.
    if (bucket.tokens >= this.#capacity && this.#buckets.size > 10_000) this.#buckets.delete(workspace);
    return bucket;
  }
}
