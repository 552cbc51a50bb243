/*
 * The fake Slack's rate limits, as Slack applies them: "Your app's requests to the Web API are
 * evaluated per method, per workspace" (https://docs.slack.dev/apis/web-api/rate-limits), with tiers
 * that allow a number of calls a minute and some bursting (Tier 3, chat.update's: "50+ per minute";
 * https://docs.slack.dev/reference/methods/chat.update). A call over the limit answers HTTP 429 with
 * a `Retry-After` header in seconds and `{"ok":false,"error":"ratelimited"}`, and does nothing.
 * Slack does not publish its algorithm; the fake uses a token bucket (a burst, then the steady rate),
 * one per method and workspace. Methods without a limit set are not limited.
 */

export interface FakeRateLimit {
  /** Calls a minute once the burst is spent. */
  perMinute: number;
  /** Calls that may come at once. Default: a sixth of perMinute, at least 1. */
  burst?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimits {
  private readonly limits = new Map<string, Required<FakeRateLimit>>();
  private readonly buckets = new Map<string, Bucket>();

  set(method: string, limit: FakeRateLimit): void {
    this.limits.set(method, {
      perMinute: limit.perMinute,
      burst: limit.burst ?? Math.max(1, Math.floor(limit.perMinute / 6)),
    });
    for (const key of this.buckets.keys()) if (key.endsWith(`:${method}`)) this.buckets.delete(key);
  }

  /** Takes one call of `method` in workspace `teamId`: undefined when allowed, else the seconds to wait. */
  take(teamId: string, method: string, now = Date.now()): number | undefined {
    const limit = this.limits.get(method);
    if (limit === undefined) return undefined;
    const key = `${teamId}:${method}`;
    const refillPerMillisecond = limit.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedAt: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.updatedAt) * refillPerMillisecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMillisecond / 1000));
  }
}
