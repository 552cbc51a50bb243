import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  describeGitHubError,
  rateLimitOf,
  secondaryRateLimitWait,
  withRetries
} from "./chunk-NCAOIC6H.js";
import "./chunk-NBCU4IS7.js";
export {
  describeGitHubError,
  rateLimitOf,
  secondaryRateLimitWait,
  withRetries
};
