import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
} from "./chunk-CFJXPPZ4.js";
import "./chunk-F6XQD4LG.js";
import "./chunk-NBCU4IS7.js";
export {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
};
