/*
 * The Octokit client from @actions/github, with one addition: GET requests that hit a rate limit
 * (403 or 429 with retry-after, or x-ratelimit-remaining 0) are retried after the wait GitHub asks
 * for, at most three tries in all. Writes are never retried here: a POST that failed may still have
 * landed, and only the caller can check that (see sticky-comment.ts).
 */
import { getOctokit } from "@actions/github";

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  apiUrl: string;
  /** Longest wait honoured for one rate limit; beyond it the error is reported instead. */
  maxWaitMilliseconds?: number;
  sleep?: (milliseconds: number) => Promise<void>;
  now?: () => number;
  log?: (message: string) => void;
}

const maxTries = 3;

interface ErrorWithResponse {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const octokit = getOctokit(options.token, { baseUrl: options.apiUrl });
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
        const wait = method === "GET" && attempt < maxTries ? rateLimitWait(error, now()) : undefined;
        if (wait === undefined || wait > maxWait) {
          throw error;
        }
        options.log?.(
          `GitHub rate limit on ${method} ${String(requestOptions.url)}; retrying in ${Math.ceil(wait / 1000)} s (try ${attempt + 1} of ${maxTries}).`,
        );
        await sleep(wait);
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
