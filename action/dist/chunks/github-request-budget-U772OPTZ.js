import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
} from "./chunk-RK3L2H6M.js";
import "./chunk-CBK46CGU.js";
import "./chunk-NBCU4IS7.js";
export {
  GitHubRateLimit,
  downloadAllowance,
  downloadRequestCost,
  githubTokenRequestsPerHour,
  requestBudgetNote,
  requestsReservedAfterDownloads
};
