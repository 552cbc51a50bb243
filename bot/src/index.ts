import { createApp } from "./app.js";
import { BotConfigError, loadConfig } from "./config.js";

/** Reads the environment, starts the app, and turns a bad configuration into one readable message. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { app } = createApp({ config });
  await app.start(config.port);
  const mode = config.slackAppToken === undefined ? `HTTP on port ${config.port} (/slack/events)` : "Socket Mode";
  process.stderr.write(`Glance is running: ${mode}, model ${config.model}.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof BotConfigError ? error.message : `Glance stopped: ${error instanceof Error ? error.message : String(error)}`}\n`,
  );
  process.exitCode = 1;
});
