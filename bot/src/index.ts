import { createApp } from "./app.js";
import { BotConfigError, loadConfig } from "./config.js";
import { createMemoryState } from "./state/bot-state.js";
import { FileState } from "./state/file-state.js";

/** Reads the environment, starts the app, and turns a bad configuration into one readable message. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const state = config.storeFile === undefined ? createMemoryState() : await FileState.open({ path: config.storeFile });
  const { app, idle } = createApp({ config, state });
  await app.start(config.port);
  const mode = config.slackAppToken === undefined ? `HTTP on port ${config.port} (/slack/events)` : "Socket Mode";
  process.stderr.write(`Glance is running: ${mode}, model ${config.model}.\n`);
  const shutdown = async () => {
    try {
      // Finish the answers already started, then keep the dedup claims and budgets for the next start.
      await app.stop();
      await idle();
      await state.close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`Glance stopped uncleanly: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
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
