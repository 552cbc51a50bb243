import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  formatCount
} from "./chunk-LXH4BYVZ.js";

// action/src/github-request-budget.ts
var githubTokenRequestsPerHour = 1e3;
var requestsReservedAfterDownloads = 15;
var GitHubRateLimit = class {
  limit;
  remaining;
  /** Epoch seconds at which the hour's window resets. */
  resetEpochSeconds;
  observe(headers) {
    const resource = headers["x-ratelimit-resource"];
    if (resource !== void 0 && resource !== "core") return;
    const remaining = wholeNumber(headers["x-ratelimit-remaining"]);
    if (remaining === void 0) return;
    this.remaining = remaining;
    this.limit = wholeNumber(headers["x-ratelimit-limit"]) ?? this.limit;
    this.resetEpochSeconds = wholeNumber(headers["x-ratelimit-reset"]) ?? this.resetEpochSeconds;
  }
  /** The state now, for the note; undefined when GitHub sends no limit (a GitHub Enterprise Server without one). */
  snapshot() {
    return this.remaining === void 0 ? void 0 : { remaining: this.remaining, limit: this.limit, resetEpochSeconds: this.resetEpochSeconds };
  }
};
function downloadAllowance(snapshot) {
  return Math.max(0, snapshot.remaining - requestsReservedAfterDownloads);
}
function downloadRequestCost(item) {
  if (item.source === "body") return 0;
  return item.status === "added" ? 1 : 2;
}
function requestBudgetNote(snapshot, downloads) {
  const reset = snapshot.resetEpochSeconds === void 0 ? "" : ` until ${new Date(snapshot.resetEpochSeconds * 1e3).toISOString().slice(11, 16)} UTC`;
  const limit = snapshot.limit === void 0 ? "" : ` of ${formatCount(snapshot.limit)} an hour`;
  return `Downloading this pull request's images needs about ${formatCount(downloads.needed)} GitHub API requests, but the token had ${formatCount(snapshot.remaining)} left${limit}${reset} (the Actions token gets ${formatCount(githubTokenRequestsPerHour)} an hour per repository, shared by all its workflows). ${formatCount(downloads.notDownloaded)} image(s) were not downloaded to stay within it; they are listed as skipped. Lower max-images, or re-run after the reset.`;
}
function wholeNumber(value) {
  if (value === void 0 || value === "") return void 0;
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 ? number : void 0;
}

export {
  githubTokenRequestsPerHour,
  requestsReservedAfterDownloads,
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  requestBudgetNote
};
