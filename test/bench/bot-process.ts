/*
 * The Slack app in its own Node process, for the benchmarks (bot-run.ts and replicas-run.ts fork it). It
 * starts the app as bot/src/index.ts does (configuration from the environment, the HTTP receiver, the
 * backend openBackend picks: in memory, or Redis and the durable queue with GLANCE_REDIS_URL),
 * with two injected dependencies index.ts cannot take from the environment: the fake Slack's file host
 * as a trusted origin for the bot token, and a logger that keeps the queue-wait lines instead of
 * printing every debug line. Everything it measures is this process alone: peak RSS and CPU time come
 * from process.resourceUsage() at the end.
 *
 * Protocol over the IPC channel: sends {type: "ready", port}; with the queue, {type: "started", ts, at}
 * whenever this process starts working on an answer; on {type: "stop"} waits for every answer, stops,
 * sends {type: "report", ...} and exits.
 */
import type { Server } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createApp } from "../../bot/src/app.js";
import { openBackend } from "../../bot/src/bot-backend.js";
import type { BotLogger } from "../../bot/src/bot-logger.js";
import { loadConfig } from "../../bot/src/config.js";

export interface BotProcessReport {
  type: "report";
  /** process.resourceUsage().maxRSS, in kilobytes. */
  maxRssKilobytes: number;
  userCpuMicroseconds: number;
  systemCpuMicroseconds: number;
  /** Milliseconds each answer waited for a concurrency slot, by the mention's ts. */
  queueWaits: Record<string, number>;
  /** With the durable queue: when this process started working on each answer (epoch ms), by the mention's ts. */
  jobStarts: Record<string, number>;
  warnings: string[];
  /**
   * Server-side ack times of the burst, in milliseconds: from the moment the bot's HTTP server emits
   * "request" for a POST to /slack/events (headers parsed, so any event-loop delay before that is NOT
   * included) to the response's "finish" (the 200 handed to the kernel).
   */
  serverAcks: number[];
  /** When each of those requests reached the bot's JavaScript (epoch milliseconds, sub-millisecond precision). */
  serverArrivals: number[];
  /** The bot's event-loop delay during the burst (perf_hooks.monitorEventLoopDelay, 10 ms resolution), ms. */
  eventLoopDelay: { p50: number; p99: number; max: number; mean: number };
}

const queueWaitLine = /^Answer for [^/]+\/(\S+) waited ([\d.]+) ms for a slot\.$/;
const jobStartLine = /^Answer for [^/]+\/(\S+) started on this replica /;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const trusted = process.env.BENCH_TRUSTED_FILE_ORIGIN;
  const queueWaits: Record<string, number> = {};
  const jobStarts: Record<string, number> = {};
  const warnings: string[] = [];
  const logger: BotLogger = {
    debug: (message) => {
      const match = queueWaitLine.exec(message);
      if (match?.[1] !== undefined) queueWaits[match[1]] = Number(match[2]);
      const started = jobStartLine.exec(message);
      if (started?.[1] !== undefined) {
        const at = performance.timeOrigin + performance.now();
        jobStarts[started[1]] = at;
        process.send?.({ type: "started", ts: started[1], at });
      }
    },
    info: () => {},
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
  const backend = await openBackend(config, logger);
  const bot = createApp({
    config,
    ...(trusted === undefined ? {} : { trustedFileOrigins: [trusted] }),
    logger,
    state: backend.state,
    ...(backend.answerQueue === undefined ? {} : { answerQueue: backend.answerQueue }),
  });
  const server = (await bot.app.start(0)) as Server;
  // Diagnostics only the benchmark sets up: the bot's own code carries no timing hooks.
  const serverAcks: number[] = [];
  const serverArrivals: number[] = [];
  let measuring = false;
  server.prependListener("request", (request, response) => {
    if (!measuring || request.method !== "POST") return;
    const arrivedAt = performance.now();
    serverArrivals.push(performance.timeOrigin + arrivedAt);
    response.once("finish", () => serverAcks.push(performance.now() - arrivedAt));
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The bot's HTTP server has no port.");
  process.send?.({ type: "ready", port: address.port });
  process.on("message", (message: { type?: string }) => {
    if (message.type === "burst") {
      measuring = true;
      loopDelay.enable();
      return;
    }
    if (message.type !== "stop") return;
    void (async () => {
      await bot.idle();
      loopDelay.disable();
      const toMilliseconds = (nanoseconds: number) => nanoseconds / 1e6;
      await bot.app.stop();
      await backend.answerQueue?.close();
      await backend.state.close();
      const usage = process.resourceUsage();
      const report: BotProcessReport = {
        type: "report",
        maxRssKilobytes: usage.maxRSS,
        userCpuMicroseconds: usage.userCPUTime,
        systemCpuMicroseconds: usage.systemCPUTime,
        queueWaits,
        jobStarts,
        warnings,
        serverAcks,
        serverArrivals,
        eventLoopDelay: {
          p50: toMilliseconds(loopDelay.percentile(50)),
          p99: toMilliseconds(loopDelay.percentile(99)),
          max: toMilliseconds(loopDelay.max),
          mean: toMilliseconds(loopDelay.mean),
        },
      };
      process.send?.(report, () => process.exit(0));
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`The benchmark bot stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
