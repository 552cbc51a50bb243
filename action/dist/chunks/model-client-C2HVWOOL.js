import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  escapeForLog
} from "./chunk-5EQO33OE.js";
import {
  createGlanceClient,
  resolveBaseUrl
} from "./chunk-LXH4BYVZ.js";
import "./chunk-NBCU4IS7.js";

// action/src/model-client.ts
function createModelClient(config, runner) {
  if (config.apiKey === void 0) {
    return void 0;
  }
  const baseUrl = modelBaseUrl(config);
  return createGlanceClient({
    apiKey: config.apiKey,
    apiKeySource: "the api-key input",
    ...baseUrl === void 0 ? {} : { baseUrl },
    defaultModel: config.model,
    // Core's notes can quote the model's answer (an invalid structured answer): escaped for the log.
    logger: {
      warn: (message) => runner.info(escapeForLog(message)),
      debug: (message) => runner.debug(escapeForLog(message))
    }
  });
}
function modelBaseUrl(config) {
  return config.baseUrl === void 0 && config.region === void 0 ? void 0 : resolveBaseUrl(config);
}
export {
  createModelClient,
  modelBaseUrl
};
