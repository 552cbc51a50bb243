import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
} from "./chunk-M7U7SGNR.js";
import "./chunk-LXH4BYVZ.js";
import "./chunk-NBCU4IS7.js";
export {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
};
