/*
 * When and how long to wait before trying again. For 5xx answers and lost connections, exponential
 * backoff with full jitter (a random wait between 0 and the exponential cap) spreads retries of many
 * clients apart; a Retry-After from the service always wins, capped so a bad header cannot park a CLI
 * for an hour.
 */

export const baseDelayMilliseconds = 500;
export const maximumBackoffMilliseconds = 30_000;
export const maximumRetryAfterSeconds = 60;

/** The wait before retry number `retry` (0 for the first retry). */
export function backoffMilliseconds(retry: number, random: () => number): number {
  const cap = Math.min(maximumBackoffMilliseconds, baseDelayMilliseconds * 2 ** retry);
  return Math.floor(random() * cap);
}

/*
 * A 429 without Retry-After (Model Studio usually sends none) gets its own, longer schedule: its quotas
 * are counted per minute (requests and tokens), so the 0.5-2 s of the general backoff would only spend
 * the retries inside the same window. Exponential from 5 s, capped at 30 s, with "equal jitter" (half
 * the step fixed, half random) so that the total before giving up never drops below several seconds:
 * with the default three retries, 2.5-5 s, then 5-10 s, then 10-20 s, at least 17.5 s in all.
 */
export const rateLimitBaseDelayMilliseconds = 5_000;
export const maximumRateLimitBackoffMilliseconds = 30_000;

/** The wait before retry number `retry` (0 for the first) after a 429 that said nothing about when. */
export function rateLimitBackoffMilliseconds(retry: number, random: () => number): number {
  const step = Math.min(maximumRateLimitBackoffMilliseconds, rateLimitBaseDelayMilliseconds * 2 ** retry);
  return Math.floor(step / 2 + random() * (step / 2));
}

/** Seconds from a Retry-After header (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, nowMilliseconds: number): number | undefined {
  if (header === null || header === undefined || header.trim() === "") {
    return undefined;
  }
  const trimmed = header.trim();
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) {
      return undefined;
    }
    seconds = Math.max(0, Math.ceil((date - nowMilliseconds) / 1000));
  }
  return Math.min(seconds, maximumRetryAfterSeconds);
}
