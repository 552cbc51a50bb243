/*
 * The GitHub REST client: Octokit with the REST methods and pagination (what @actions/github's
 * getOctokit builds; index.ts builds it, tests build the same against the fake), plus retries that
 * follow GitHub's rate-limit rules
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit):
 * - a primary limit (403 or 429 with x-ratelimit-remaining 0) waits until x-ratelimit-reset;
 * - a secondary limit (403 or 429 whose message says "secondary rate limit", or any 429) waits what
 *   retry-after says, else until x-ratelimit-reset when remaining is 0, else at least a minute,
 *   doubling on each repeat. GitHub usually sends no retry-after for these;
 * - a GET that failed with a server error (5xx) is retried with a short exponential backoff.
 * Reads (GET, HEAD) are retried on every rate limit. A content-creating request (POST, PATCH, PUT,
 * DELETE) is not repeated blindly: only when GitHub named the time to send it again (retry-after, or
 * an exhausted primary limit's reset), which says it was refused and when it will be taken. A secondary
 * limit without either is GitHub declining to say (it asks for growing waits), and any other failed
 * write may still have landed: those are left to the caller, which can look (see sticky-comment.ts).
 * At most three tries in all, and a wait longer than `maxWaitMilliseconds` is reported instead of
 * waited out. Every answer's x-ratelimit-* headers are recorded in `rateLimit`, which the run's
 * request budget reads (github-request-budget.ts).
 */
import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import type { Api } from "@octokit/plugin-rest-endpoint-methods";
import type { GitHubRateLimit } from "./github-request-budget.js";

/** The client getOctokit returns, named by its parts so that only index.ts touches the Actions toolkit. */
export type GitHubClient = Octokit & Api & { paginate: PaginateInterface };

export interface RetryOptions {
  /** Longest wait honoured for one rate limit; beyond it the error is reported instead. */
  maxWaitMilliseconds?: number;
  /** Injectable so tests need not wait the minute GitHub asks for. */
  sleep?: (milliseconds: number) => Promise<void>;
  now?: () => number;
  log?: (message: string) => void;
  /** Where the x-ratelimit-* headers of every answer are recorded. */
  rateLimit?: GitHubRateLimit;
}

const maxTries = 3;
/** First wait after a server error; doubled for the next try. */
const serverErrorBackoff = 500;
/** GitHub: without retry-after or an exhausted primary limit, "wait for at least one minute before retrying". */
export const secondaryRateLimitWait = 60_000;
const readMethods = new Set(["GET", "HEAD"]);

type Headers = Record<string, string | number | undefined>;

interface ErrorWithResponse {
  status?: number;
  message?: string;
  response?: { headers?: Headers; data?: unknown };
}

/** Adds the retries to a client (in place) and returns it. */
export function withRetries(octokit: GitHubClient, options: RetryOptions = {}): GitHubClient {
  const sleep =
    options.sleep ?? ((milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitMilliseconds ?? 2 * secondaryRateLimitWait;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const method = String(requestOptions.method ?? "GET").toUpperCase();
    const what = `${method} ${String(requestOptions.url)}`;
    let secondaryLimits = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await request(requestOptions);
        options.rateLimit?.observe(response.headers as Headers);
        return response;
      } catch (error) {
        const headers = (error as ErrorWithResponse).response?.headers;
        if (headers !== undefined) {
          options.rateLimit?.observe(headers);
        }
        const limit = rateLimitOf(error, now(), secondaryLimits);
        if (limit !== undefined) {
          if (limit.kind === "secondary") secondaryLimits += 1;
          if (!readMethods.has(method) && !limit.timed) {
            options.log?.(
              `GitHub's ${limit.kind} rate limit refused ${what} without saying when to send it again; it is not sent again, because a request that creates content must not be repeated blindly.`,
            );
            throw error;
          }
          if (attempt >= maxTries || limit.waitMilliseconds > maxWait) {
            throw error;
          }
          options.log?.(
            `GitHub rate limit on ${what} (${limit.kind}); retrying in ${Math.ceil(limit.waitMilliseconds / 1000)} s (try ${attempt + 1} of ${maxTries}).`,
          );
          await sleep(limit.waitMilliseconds);
          continue;
        }
        const status = (error as ErrorWithResponse).status ?? 0;
        if (method === "GET" && status >= 500 && status < 600 && attempt < maxTries) {
          const backoff = serverErrorBackoff * 2 ** (attempt - 1);
          options.log?.(
            `GitHub answered ${status} to ${what}; retrying in ${backoff} ms (try ${attempt + 1} of ${maxTries}).`,
          );
          await sleep(backoff);
          continue;
        }
        throw error;
      }
    }
  });
  return octokit;
}

export interface RateLimitHit {
  kind: "primary" | "secondary";
  /** How long GitHub asks us to wait before the same request. */
  waitMilliseconds: number;
  /** True when GitHub named the time (retry-after, or x-ratelimit-reset of an exhausted limit); false for our own minute. */
  timed: boolean;
}

/**
 * Which rate limit an error is and how long to wait, or undefined when it is not a rate limit.
 * `earlierSecondary` counts the secondary limits this request already met: without a retry-after the
 * wait doubles each time, as GitHub asks.
 */
export function rateLimitOf(error: unknown, nowMilliseconds: number, earlierSecondary = 0): RateLimitHit | undefined {
  const { status, response } = (error ?? {}) as ErrorWithResponse;
  if (status !== 403 && status !== 429) {
    return undefined;
  }
  const headers = response?.headers ?? {};
  const untilReset = (): number | undefined => {
    const reset = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset) && headers["x-ratelimit-reset"] !== undefined
      ? Math.max(0, reset * 1000 - nowMilliseconds) + 1000
      : undefined;
  };
  const exhausted = String(headers["x-ratelimit-remaining"]) === "0";
  if (exhausted && !saysSecondary(error)) {
    const reset = untilReset();
    return { kind: "primary", waitMilliseconds: reset ?? secondaryRateLimitWait, timed: reset !== undefined };
  }
  // A 403 that is neither is a refusal (a missing permission), not a limit; GitHub sends 429 only for limits.
  if (status === 403 && !saysSecondary(error)) {
    return undefined;
  }
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return { kind: "secondary", waitMilliseconds: retryAfter * 1000, timed: true };
  }
  const reset = exhausted ? untilReset() : undefined;
  return {
    kind: "secondary",
    waitMilliseconds: reset ?? secondaryRateLimitWait * 2 ** earlierSecondary,
    timed: reset !== undefined,
  };
}

/** True when GitHub's error message names a secondary rate limit. */
function saysSecondary(error: unknown): boolean {
  const { message, response } = (error ?? {}) as ErrorWithResponse;
  const data = response?.data as { message?: unknown } | undefined;
  const text = `${typeof data?.message === "string" ? data.message : ""} ${message ?? ""}`;
  return /secondary rate limit/i.test(text);
}

/**
 * A GitHub API failure as one readable sentence: what was being done, the status and GitHub's
 * message, and for "Resource not accessible by integration" the permission the token lacks.
 */
export function describeGitHubError(error: unknown, what: string, permission: string): Error {
  const { status } = (error ?? {}) as ErrorWithResponse;
  const message = error instanceof Error ? error.message : String(error);
  if (status === undefined) {
    return new Error(`Could not ${what}: ${message}`);
  }
  const hint =
    status === 403 && /not accessible by integration/i.test(message)
      ? ` The token lacks a permission: add "permissions: ${permission}" to the workflow job (fork pull requests need pull_request_target for write access).`
      : status === 401
        ? " The github-token is invalid or expired."
        : status === 404
          ? " Check the pull request number and that the token can read this repository."
          : "";
  return new Error(`Could not ${what}: GitHub answered ${status} (${message}).${hint}`);
}
