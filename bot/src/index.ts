import { createApp } from "./app.js";
import { openBackend } from "./bot-backend.js";
import { consoleLogger } from "./bot-logger.js";
import { BotConfigError, loadConfig, secretsOf } from "./config.js";
import { createScrubber } from "./secret-scrubber.js";

/** Reads the environment, starts the app, and turns a bad configuration into one readable message. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = consoleLogger(createScrubber(secretsOf(config)));
  const { state, answerQueue } = await openBackend(config, logger);
  const { app, idle } = createApp({ config, state, logger, ...(answerQueue === undefined ? {} : { answerQueue }) });
  try {
    await app.start(config.port);
  } catch (error) {
    // Open Redis connections would keep the process alive after the failure is reported.
    await answerQueue?.close();
    await state.close();
    throw error;
  }
  const mode = config.slackAppToken === undefined ? `HTTP on port ${config.port} (/slack/events)` : "Socket Mode";
  process.stderr.write(`Glance is running: ${mode}, model ${config.model}.\n`);
  const shutdown = async () => {
    try {
      // Finish the answers already started, then keep the dedup claims and budgets for the next start.
      await app.stop();
      // The durable queue: stop taking jobs; those still running after its grace period are handed back.
      await answerQueue?.close();
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
