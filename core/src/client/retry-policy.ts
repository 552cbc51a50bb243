/*
 * When and how long to wait before trying again. Exponential backoff with full jitter (a random wait
 * between 0 and the exponential cap) spreads retries of many clients apart; a Retry-After from the
 * service always wins, capped so a bad header cannot park a CLI for an hour.
 */

export const baseDelayMilliseconds = 500;
export const maximumBackoffMilliseconds = 30_000;
export const maximumRetryAfterSeconds = 60;

/** The wait before retry number `retry` (0 for the first retry). */
export function backoffMilliseconds(retry: number, random: () => number): number {
  const cap = Math.min(maximumBackoffMilliseconds, baseDelayMilliseconds * 2 ** retry);
  return Math.floor(random() * cap);
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

/** 429 and 5xx are worth another try; every other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
