/*
 * The Slack app in its own Node process, for the benchmark (bot-run.ts forks it). It starts the app as
 * bot/src/index.ts does (configuration from the environment, the HTTP receiver, the in-memory store),
 * with two injected dependencies index.ts cannot take from the environment: the fake Slack's file host
 * as a trusted origin for the bot token, and a logger that keeps the queue-wait lines instead of
 * printing every debug line. Everything it measures is this process alone: peak RSS and CPU time come
 * from process.resourceUsage() at the end.
 *
 * Protocol over the IPC channel: sends {type: "ready", port}; on {type: "stop"} waits for every answer,
 * stops, sends {type: "report", ...} and exits.
 */
import type { AddressInfo } from "node:net";
import { createApp } from "../../bot/src/app.js";
import { loadConfig } from "../../bot/src/config.js";

export interface BotProcessReport {
  type: "report";
  /** process.resourceUsage().maxRSS, in kilobytes. */
  maxRssKilobytes: number;
  userCpuMicroseconds: number;
  systemCpuMicroseconds: number;
  /** Milliseconds each answer waited for a concurrency slot, by the mention's ts. */
  queueWaits: Record<string, number>;
  warnings: string[];
}

const queueWaitLine = /^Answer for [^/]+\/(\S+) waited ([\d.]+) ms for a slot\.$/;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const trusted = process.env.BENCH_TRUSTED_FILE_ORIGIN;
  const queueWaits: Record<string, number> = {};
  const warnings: string[] = [];
  const bot = createApp({
    config,
    ...(trusted === undefined ? {} : { trustedFileOrigins: [trusted] }),
    logger: {
      debug: (message) => {
        const match = queueWaitLine.exec(message);
        if (match?.[1] !== undefined) queueWaits[match[1]] = Number(match[2]);
      },
      info: () => {},
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    },
  });
  const server = (await bot.app.start(0)) as { address(): AddressInfo | string | null };
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The bot's HTTP server has no port.");
  process.send?.({ type: "ready", port: address.port });
  process.on("message", (message: { type?: string }) => {
    if (message.type !== "stop") return;
    void (async () => {
      await bot.idle();
      await bot.app.stop();
      const usage = process.resourceUsage();
      const report: BotProcessReport = {
        type: "report",
        maxRssKilobytes: usage.maxRSS,
        userCpuMicroseconds: usage.userCPUTime,
        systemCpuMicroseconds: usage.systemCPUTime,
        queueWaits,
        warnings,
      };
      process.send?.(report, () => process.exit(0));
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`The benchmark bot stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
