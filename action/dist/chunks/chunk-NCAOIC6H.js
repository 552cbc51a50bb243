import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// action/src/github-client.ts
var maxTries = 3;
var serverErrorBackoff = 500;
var secondaryRateLimitWait = 6e4;
var readMethods = /* @__PURE__ */ new Set(["GET", "HEAD"]);
function withRetries(octokit, options = {}) {
  const sleep = options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitMilliseconds ?? 2 * secondaryRateLimitWait;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    const method = String(requestOptions.method ?? "GET").toUpperCase();
    const what = `${method} ${String(requestOptions.url)}`;
    let secondaryLimits = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await request(requestOptions);
        options.rateLimit?.observe(response.headers);
        return response;
      } catch (error) {
        const headers = error.response?.headers;
        if (headers !== void 0) {
          options.rateLimit?.observe(headers);
        }
        const limit = rateLimitOf(error, now(), secondaryLimits);
        if (limit !== void 0) {
          if (limit.kind === "secondary") secondaryLimits += 1;
          if (!readMethods.has(method) && !limit.timed) {
            options.log?.(
              `GitHub's ${limit.kind} rate limit refused ${what} without saying when to send it again; it is not sent again, because a request that creates content must not be repeated blindly.`
            );
            throw error;
          }
          if (attempt >= maxTries || limit.waitMilliseconds > maxWait) {
            throw error;
          }
          options.log?.(
            `GitHub rate limit on ${what} (${limit.kind}); retrying in ${Math.ceil(limit.waitMilliseconds / 1e3)} s (try ${attempt + 1} of ${maxTries}).`
          );
          await sleep(limit.waitMilliseconds);
          continue;
        }
        const status = error.status ?? 0;
        if (method === "GET" && status >= 500 && status < 600 && attempt < maxTries) {
          const backoff = serverErrorBackoff * 2 ** (attempt - 1);
          options.log?.(
            `GitHub answered ${status} to ${what}; retrying in ${backoff} ms (try ${attempt + 1} of ${maxTries}).`
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
function rateLimitOf(error, nowMilliseconds, earlierSecondary = 0) {
  const { status, response } = error ?? {};
  if (status !== 403 && status !== 429) {
    return void 0;
  }
  const headers = response?.headers ?? {};
  const untilReset = () => {
    const reset2 = Number(headers["x-ratelimit-reset"]);
    return Number.isFinite(reset2) && headers["x-ratelimit-reset"] !== void 0 ? Math.max(0, reset2 * 1e3 - nowMilliseconds) + 1e3 : void 0;
  };
  const exhausted = String(headers["x-ratelimit-remaining"]) === "0";
  if (exhausted && !saysSecondary(error)) {
    const reset2 = untilReset();
    return { kind: "primary", waitMilliseconds: reset2 ?? secondaryRateLimitWait, timed: reset2 !== void 0 };
  }
  if (status === 403 && !saysSecondary(error)) {
    return void 0;
  }
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== void 0 && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return { kind: "secondary", waitMilliseconds: retryAfter * 1e3, timed: true };
  }
  const reset = exhausted ? untilReset() : void 0;
  return {
    kind: "secondary",
    waitMilliseconds: reset ?? secondaryRateLimitWait * 2 ** earlierSecondary,
    timed: reset !== void 0
  };
}
function saysSecondary(error) {
  const { message, response } = error ?? {};
  const data = response?.data;
  const text = `${typeof data?.message === "string" ? data.message : ""} ${message ?? ""}`;
  return /secondary rate limit/i.test(text);
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
  secondaryRateLimitWait,
  withRetries,
  rateLimitOf,
  describeGitHubError
};
