import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  describeGitHubError,
  rateLimitWait,
  withRetries
} from "./chunk-ZUXWQTBS.js";
import "./chunk-NBCU4IS7.js";
export {
  describeGitHubError,
  rateLimitWait,
  withRetries
};
