import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
} from "./chunk-ZBHLGGVF.js";
import "./chunk-I7TEM7J4.js";
import "./chunk-NBCU4IS7.js";
export {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
};
