import { createApp } from "./app.js";
import { BotConfigError, loadConfig } from "./config.js";
import { FileStore } from "./store/file-store.js";

/** Reads the environment, starts the app, and turns a bad configuration into one readable message. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const store = config.storeFile === undefined ? undefined : await FileStore.open({ path: config.storeFile });
  const { app, idle } = createApp({ config, ...(store === undefined ? {} : { store }) });
  await app.start(config.port);
  const mode = config.slackAppToken === undefined ? `HTTP on port ${config.port} (/slack/events)` : "Socket Mode";
  process.stderr.write(`Glance is running: ${mode}, model ${config.model}.\n`);
  const shutdown = async () => {
    // Finish the answers already started, then keep the dedup claims and budgets for the next start.
    await app.stop();
    await idle();
    await store?.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof BotConfigError ? error.message : `Glance stopped: ${error instanceof Error ? error.message : String(error)}`}\n`,
  );
  process.exitCode = 1;
});
