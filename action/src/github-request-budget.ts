/*
 * The run's budget of GitHub API requests. The Actions token may make 1,000 requests an hour per
 * repository ("The rate limit for GITHUB_TOKEN is 1,000 requests per hour per repository",
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions),
 * shared with every other workflow of the repository. Most of a run's requests fetch image bytes
 * (one or two per changed image), so a large pull request could spend the whole hour and then fail
 * halfway, comment included. The remaining requests come from the x-ratelimit-* headers of every
 * answer (GitHub recommends the headers over calling GET /rate_limit); downloads stop where they would
 * eat into what publishing the review needs, and the run says so.
 */
import { formatCount } from "@glance/core";
import type { ReviewItem } from "./review-item.js";

/** What the documentation gives the Actions token, named in messages. */
export const githubTokenRequestsPerHour = 1000;

/**
 * Kept for what follows the downloads: reading the earlier comments again, re-reading the pull
 * request (head and signed description URLs), posting or updating the comment, and the odd blob of
 * an image over 1 MB that the estimate below does not count.
 */
export const requestsReservedAfterDownloads = 15;

/** The primary rate limit as the latest answer's headers describe it. */
export class GitHubRateLimit {
  limit: number | undefined;
  remaining: number | undefined;
  /** Epoch seconds at which the hour's window resets. */
  resetEpochSeconds: number | undefined;

  observe(headers: Record<string, string | number | undefined>): void {
    // Only the core resource counts here (search and others have budgets of their own).
    const resource = headers["x-ratelimit-resource"];
    if (resource !== undefined && resource !== "core") return;
    const remaining = wholeNumber(headers["x-ratelimit-remaining"]);
    if (remaining === undefined) return;
    this.remaining = remaining;
    this.limit = wholeNumber(headers["x-ratelimit-limit"]) ?? this.limit;
    this.resetEpochSeconds = wholeNumber(headers["x-ratelimit-reset"]) ?? this.resetEpochSeconds;
  }

  /** The state now, for the note; undefined when GitHub sends no limit (a GitHub Enterprise Server without one). */
  snapshot(): RequestBudgetSnapshot | undefined {
    return this.remaining === undefined
      ? undefined
      : { remaining: this.remaining, limit: this.limit, resetEpochSeconds: this.resetEpochSeconds };
  }
}

/** Requests the downloads may spend, keeping what publishing needs. */
export function downloadAllowance(snapshot: RequestBudgetSnapshot): number {
  return Math.max(0, snapshot.remaining - requestsReservedAfterDownloads);
}

/**
 * API requests to fetch an item's bytes: the head version, and the base one unless it was added.
 * Description images come from GitHub's content hosts and camo, outside the API's limit.
 */
export function downloadRequestCost(item: ReviewItem): number {
  if (item.source === "body") return 0;
  return item.status === "added" ? 1 : 2;
}

/** What the downloads were measured against, taken before they started. */
export interface RequestBudgetSnapshot {
  remaining: number;
  limit: number | undefined;
  resetEpochSeconds: number | undefined;
}

/** The run's note when the downloads would have spent more requests than the token had left. */
export function requestBudgetNote(
  snapshot: RequestBudgetSnapshot,
  downloads: { needed: number; notDownloaded: number },
): string {
  const reset =
    snapshot.resetEpochSeconds === undefined
      ? ""
      : ` until ${new Date(snapshot.resetEpochSeconds * 1000).toISOString().slice(11, 16)} UTC`;
  const limit = snapshot.limit === undefined ? "" : ` of ${formatCount(snapshot.limit)} an hour`;
  return (
    `Downloading this pull request's images needs about ${formatCount(downloads.needed)} GitHub API requests, but the token had ` +
    `${formatCount(snapshot.remaining)} left${limit}${reset} (the Actions token gets ${formatCount(githubTokenRequestsPerHour)} an hour per repository, shared by all its workflows). ` +
    `${formatCount(downloads.notDownloaded)} image(s) were not downloaded to stay within it; they are listed as skipped. Lower max-images, or re-run after the reset.`
  );
}

function wholeNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 ? number : undefined;
}
