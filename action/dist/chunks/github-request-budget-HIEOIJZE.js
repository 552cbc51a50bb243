import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
} from "./chunk-B5O4JES6.js";
import "./chunk-2P2EMZJK.js";
import "./chunk-NBCU4IS7.js";
export {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
};
