/*
 * The Model Studio client the reviews use: core's client with the action's key, endpoint and model,
 * its retry notes in the run's log. None without a key (the review is then skipped, or only estimated
 * in a dry run).
 */
import { createGlanceClient, type GlanceClient, resolveBaseUrl } from "@glance/core";
import type { ActionConfig } from "./config.js";
import { escapeForLog } from "./log-escaping.js";
import type { Runner } from "./runner.js";

export function createModelClient(config: ActionConfig, runner: Runner): GlanceClient | undefined {
  if (config.apiKey === undefined) {
    return undefined;
  }
  const baseUrl = modelBaseUrl(config);
  return createGlanceClient({
    apiKey: config.apiKey,
    apiKeySource: "the api-key input",
    ...(baseUrl === undefined ? {} : { baseUrl }),
    defaultModel: config.model,
    // Core's notes can quote the model's answer (an invalid structured answer): escaped for the log.
    logger: {
      warn: (message) => runner.info(escapeForLog(message)),
      debug: (message) => runner.debug(escapeForLog(message)),
    },
  });
}

/**
 * The endpoint: an explicit base-url wins, else the region's endpoint as core lists it, else core's
 * default. config.ts accepted only region names core knows.
 */
export function modelBaseUrl(config: Pick<ActionConfig, "baseUrl" | "region">): string | undefined {
  return config.baseUrl === undefined && config.region === undefined ? undefined : resolveBaseUrl(config);
}
