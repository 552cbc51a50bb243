import { createApp } from "./app.js";
import { type BotBackend, openBackend } from "./bot-backend.js";
import { type BotLogger, consoleLogger } from "./bot-logger.js";
import { BotConfigError, loadConfig, logFormatOf, secretsOf } from "./config.js";
import { storeFileProblem } from "./health/dependency-checks.js";
import { checkReadiness } from "./health/readiness.js";
import { createScrubber } from "./secret-scrubber.js";

/** The longest shutdown waits for answers in flight before it gives up on them (a container gets 30 s). */
const shutdownDeadlineMilliseconds = 25_000;

/** The start-up checks' time limit: Slack's auth.test with its retries, and any plugged-in check. */
const startupCheckMilliseconds = 20_000;

/**
 * Reads the environment, checks every credential and dependency, and only then starts the app and
 * says "running". Every failure is one line each (JSON with GLANCE_LOG_FORMAT=json), exit code 1, and
 * never a stack trace.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof BotConfigError)) throw error;
    // No configuration yet, so no secrets to scrub by value; the messages never quote a secret.
    cannotStart(consoleLogger(createScrubber([]), { format: logFormatOf(process.env) }), error.problems);
    return;
  }
  const logger = consoleLogger(createScrubber(secretsOf(config)), { format: config.logFormat });
  process.on("unhandledRejection", (reason) => logger.error(`Unhandled failure: ${describe(reason)}`));

  if (config.storeFile !== undefined) {
    const problem = await storeFileProblem(config.storeFile);
    if (problem !== undefined) {
      cannotStart(logger, [problem]);
      return;
    }
  }
  // State and the durable queue: Redis when GLANCE_REDIS_URL is set, else the file, else memory.
  let backend: BotBackend;
  try {
    backend = await openBackend(config, logger);
  } catch (error) {
    cannotStart(logger, [describe(error)]);
    return;
  }
  const { state, answerQueue } = backend;
  const closeBackend = async () => {
    await answerQueue?.close();
    await state.close();
  };
  const bot = createApp({ config, state, logger, ...(answerQueue === undefined ? {} : { answerQueue }) });
  const { app, idle } = bot;

  // Slack reachable and the token accepted (auth.test), the model endpoint, and any plugged-in check.
  const report = await checkReadiness(bot.readinessChecks, startupCheckMilliseconds);
  if (!report.ready) {
    await closeBackend();
    cannotStart(
      logger,
      report.checks.flatMap((check) => (check.problem === undefined ? [] : [check.problem])),
    );
    return;
  }
  await bot.warmUp();
  try {
    await app.start(config.port);
  } catch (error) {
    // Open Redis connections would keep the process alive after the failure is reported.
    await closeBackend();
    cannotStart(logger, [startFailure(error, config.port, config.slackAppToken !== undefined)]);
    return;
  }
  const mode =
    config.slackAppToken === undefined
      ? `HTTP on port ${config.port} (/slack/events)`
      : `Socket Mode, health on port ${config.port}`;
  logger.info(`Glance is running: ${mode}, model ${config.model}.`);

  const shutdown = async () => {
    // /readyz says no at once, so a load balancer stops sending work while the answers in flight finish.
    bot.beginShutdown();
    const deadline = setTimeout(() => {
      logger.error(
        `Glance stopped after ${shutdownDeadlineMilliseconds / 1000} s with answers still unfinished: they were not posted.`,
      );
      process.exit(1);
    }, shutdownDeadlineMilliseconds);
    deadline.unref();
    try {
      // Finish the answers already started, then keep the dedup claims and budgets for the next start.
      await app.stop();
      // The durable queue: stop taking jobs; those still running after its grace period are handed back.
      await answerQueue?.close();
      await idle();
      await state.close();
      process.exit(0);
    } catch (error) {
      logger.error(`Glance stopped uncleanly: ${describe(error)}`);
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

/** Prints each problem on its own line and sets exit code 1; the process ends once nothing is left to do. */
function cannotStart(logger: BotLogger, problems: readonly string[]): void {
  for (const problem of problems) logger.error(`Glance cannot start: ${problem}`);
  process.exitCode = 1;
}

/** app.start() failing: the port taken, or Socket Mode refused (the app-level token, or Slack unreachable). */
function startFailure(error: unknown, port: number, socketMode: boolean): string {
  const code = (error as { code?: unknown }).code;
  if (code === "EADDRINUSE") {
    return `PORT ${port} is already in use by another program: stop it, or set PORT to a free port.`;
  }
  if (code === "EACCES") {
    return `PORT ${port} may not be opened by this user: use a port above 1023.`;
  }
  const slackError = (error as { data?: { error?: unknown } }).data?.error;
  if (socketMode && typeof slackError === "string") {
    return `SLACK_APP_TOKEN was refused by Slack's apps.connections.open (${slackError}): create an app-level token with the connections:write scope (Basic Information > App-Level Tokens) and enable Socket Mode.`;
  }
  return socketMode
    ? `Socket Mode could not connect to Slack (${describe(error)}): check SLACK_APP_TOKEN and the network.`
    : `the HTTP receiver could not start (${describe(error)}).`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  process.stderr.write(`Glance stopped: ${describe(error)}\n`);
  process.exitCode = 1;
});
