/*
 * The GitHub REST client: Octokit with the REST methods and pagination (what @actions/github's
 * getOctokit builds; index.ts builds it, tests build the same against the fake), plus retries:
 * - any request that hit a rate limit (403 or 429 with retry-after, or x-ratelimit-remaining 0) is
 *   retried after the wait GitHub asks for: a rate-limited request did not land, so even a POST is
 *   safe to send again;
 * - a GET that failed with a server error (5xx) is retried with a short exponential backoff.
 * At most three tries in all. Other failed writes are never retried here: a POST that failed may
 * still have landed, and only the caller can check that (see sticky-comment.ts).
 */
import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import type { Api } from "@octokit/plugin-rest-endpoint-methods";

/** The client getOctokit returns, named by its parts so that only index.ts touches the Actions toolkit. */
export type GitHubClient = Octokit & Api & { paginate: PaginateInterface };

export interface RetryOptions {
  /** Longest wait honoured for one rate limit; beyond it the error is reported instead. */
  maxWaitMilliseconds?: number;
  sleep?: (milliseconds: number) => Promise<void>;
  now?: () => number;
  log?: (message: string) => void;
}

const maxTries = 3;
/** First wait after a server error; doubled for the next try. */
const serverErrorBackoff = 500;

interface ErrorWithResponse {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** Adds the retries to a client (in place) and returns it. */
export function withRetries(octokit: GitHubClient, options: RetryOptions = {}): GitHubClient {
  const sleep =
    options.sleep ?? ((milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitMilliseconds ?? 120_000;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const method = String(requestOptions.method ?? "GET").toUpperCase();
        if (attempt >= maxTries) {
          throw error;
        }
        const rateLimit = rateLimitWait(error, now());
        if (rateLimit !== undefined && rateLimit <= maxWait) {
          options.log?.(
            `GitHub rate limit on ${method} ${String(requestOptions.url)}; retrying in ${Math.ceil(rateLimit / 1000)} s (try ${attempt + 1} of ${maxTries}).`,
          );
          await sleep(rateLimit);
          continue;
        }
        const status = (error as ErrorWithResponse).status ?? 0;
        if (method === "GET" && status >= 500 && status < 600) {
          const backoff = serverErrorBackoff * 2 ** (attempt - 1);
          options.log?.(
            `GitHub answered ${status} to GET ${String(requestOptions.url)}; retrying in ${backoff} ms (try ${attempt + 1} of ${maxTries}).`,
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

/** How long GitHub asks us to wait, or undefined when the error is not a rate limit. */
export function rateLimitWait(error: unknown, nowMilliseconds: number): number | undefined {
  const { status, response } = (error ?? {}) as ErrorWithResponse;
  if (status !== 403 && status !== 429) {
    return undefined;
  }
  const headers = response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return retryAfter * 1000;
  }
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset)) {
      return Math.max(0, reset * 1000 - nowMilliseconds) + 1000;
    }
  }
  // A secondary limit without headers: GitHub documents waiting at least a minute.
  return status === 429 ? 60_000 : undefined;
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
