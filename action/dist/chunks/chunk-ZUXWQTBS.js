import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// action/src/github-client.ts
var maxTries = 3;
var serverErrorBackoff = 500;
function withRetries(octokit, options = {}) {
  const sleep = options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitMilliseconds ?? 12e4;
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
        if (rateLimit !== void 0 && rateLimit <= maxWait) {
          options.log?.(
            `GitHub rate limit on ${method} ${String(requestOptions.url)}; retrying in ${Math.ceil(rateLimit / 1e3)} s (try ${attempt + 1} of ${maxTries}).`
          );
          await sleep(rateLimit);
          continue;
        }
        const status = error.status ?? 0;
        if (method === "GET" && status >= 500 && status < 600) {
          const backoff = serverErrorBackoff * 2 ** (attempt - 1);
          options.log?.(
            `GitHub answered ${status} to GET ${String(requestOptions.url)}; retrying in ${backoff} ms (try ${attempt + 1} of ${maxTries}).`
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
function rateLimitWait(error, nowMilliseconds) {
  const { status, response } = error ?? {};
  if (status !== 403 && status !== 429) {
    return void 0;
  }
  const headers = response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== void 0 && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return retryAfter * 1e3;
  }
  if (String(headers["x-ratelimit-remaining"]) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset)) {
      return Math.max(0, reset * 1e3 - nowMilliseconds) + 1e3;
    }
  }
  return status === 429 ? 6e4 : void 0;
}
function describeGitHubError(error, what, permission) {
  const { status } = error ?? {};
  const message = error instanceof Error ? error.message : String(error);
  if (status === void 0) {
    return new Error(`Could not ${what}: ${message}`);
  }
  const hint = status === 403 && /not accessible by integration/i.test(message) ? ` The token lacks a permission: add "permissions: ${permission}" to the workflow job (fork pull requests need pull_request_target for write access).` : status === 401 ? " The github-token is invalid or expired." : status === 404 ? " Check the pull request number and that the token can read this repository." : "";
  return new Error(`Could not ${what}: GitHub answered ${status} (${message}).${hint}`);
}

export {
  withRetries,
  rateLimitWait,
  describeGitHubError
};
