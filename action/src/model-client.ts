/*
 * The Model Studio client the reviews use: core's client with the action's key, endpoint and model,
 * its retry notes in the run's log. None without a key (the review is then skipped, or only estimated
 * in a dry run).
 */
import { createGlanceClient, type GlanceClient, regionBaseUrls } from "@glance/core";
import type { ActionConfig } from "./config.js";
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
    logger: { warn: (message) => runner.info(message), debug: (message) => runner.debug(message) },
  });
}

/**
 * The endpoint: an explicit base-url wins, else the region's endpoint as core lists it, else core's
 * default. config.ts accepted only region names core knows.
 */
export function modelBaseUrl(config: Pick<ActionConfig, "baseUrl" | "region">): string | undefined {
  return config.baseUrl ?? (config.region === undefined ? undefined : regionBaseUrls[config.region]);
}
