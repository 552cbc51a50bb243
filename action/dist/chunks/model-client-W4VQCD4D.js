import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  createGlanceClient
} from "./chunk-3XYM2SWB.js";
import "./chunk-NBCU4IS7.js";

// action/src/model-client.ts
function createModelClient(config, runner) {
  if (config.apiKey === void 0) {
    return void 0;
  }
  return createGlanceClient({
    apiKey: config.apiKey,
    apiKeySource: "the api-key input",
    ...config.baseUrl === void 0 ? {} : { baseUrl: config.baseUrl },
    defaultModel: config.model,
    logger: { warn: (message) => runner.info(message), debug: (message) => runner.debug(message) }
  });
}
export {
  createModelClient
};
