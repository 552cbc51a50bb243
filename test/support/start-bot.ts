/*
 * Starts the Slack app in this process, exactly as index.ts would but with injected dependencies:
 * the HTTP receiver on an ephemeral port, the real WebClient pointed at the fake Slack, and the core
 * client pointed at the fake Model Studio. Log lines are kept so tests can check what was logged.
 */
import type { AddressInfo } from "node:net";
import { type AppDependencies, createApp, type GlanceSlackApp } from "../../bot/src/app.js";
import { type BotConfig, loadConfig } from "../../bot/src/config.js";
import type { FakeModelStudio } from "../fakes/model-studio.js";
import type { FakeSlack } from "../fakes/slack.js";
import { createSlackDriver, type SlackDriver } from "../fakes/slack-driver.js";

export interface RunningBot {
  bot: GlanceSlackApp;
  config: BotConfig;
  driver: SlackDriver;
  appUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startBot(
  fake: FakeSlack,
  model: FakeModelStudio,
  options: { environment?: Record<string, string>; dependencies?: Partial<AppDependencies> } = {},
): Promise<RunningBot> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: fake.signingSecret,
    SLACK_API_URL: fake.apiUrl,
    DASHSCOPE_API_KEY: model.apiKey,
    DASHSCOPE_BASE_URL: model.baseUrl,
    PORT: "0",
    ...options.environment,
  });
  const logs: string[] = [];
  const record = (level: string) => (message: string) => {
    logs.push(`[${level}] ${message}`);
  };
  const bot = createApp({
    config,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
    trustedFileOrigins: [fake.fileHostUrl],
    // The fake's second origin stands in for Slack's CDN, a public https host: reachable, but never given the token.
    downloadOrigins: [fake.cdnUrl],
    updateIntervalMilliseconds: 50,
    modelClientOptions: { maxRetries: 0, timeoutMilliseconds: 10_000 },
    ...options.dependencies,
  });
  const server = (await bot.app.start(0)) as { address(): AddressInfo | string | null };
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The bot's HTTP server has no port.");
  const appUrl = `http://127.0.0.1:${address.port}/slack/events`;
  const driver = createSlackDriver({ appUrl, fake });
  return {
    bot,
    config,
    driver,
    appUrl,
    logs,
    stop: async () => {
      await bot.idle();
      await bot.app.stop();
    },
  };
}

/** Polls until `condition` holds; fails with `description` after `timeoutMilliseconds`. */
export async function waitFor(
  condition: () => boolean,
  description: string,
  timeoutMilliseconds = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The bot's messages in a thread, in order, with their current (updated) text. */
export function botReplies(fake: FakeSlack, channel: string, threadTs: string): string[] {
  return fake
    .messages(channel)
    .filter((message) => message.bot_id !== undefined && message.thread_ts === threadTs)
    .map((message) => message.text);
}
