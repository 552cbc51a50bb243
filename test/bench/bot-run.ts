/*
 * Benchmark of the Slack app (not a timed test): 100 concurrent mentions, each with its own 4K
 * screenshot, against the fake Slack and a fake model that answers after 500 ms.
 *
 * The bot runs in its OWN Node process (bot-process.ts, forked), so its memory and CPU are measured
 * alone; the fake Slack, the fake model and the driver stay in this process.
 *
 * Measured, per mention:
 * - ack latency: the driver's DeliveryResult.milliseconds (signed POST to the HTTP receiver until its
 *   200), p50 and p99; Slack's limit is 3 s, the target p99 < 100 ms.
 * - raw time to answer: from the moment the driver starts delivering the event to the fake Slack
 *   receiving the answer's final call (chat.stopStream, or the last chat.update when streaming fell
 *   back), minus the model's fixed 500 ms.
 * - queue wait: how long the answer waited for a concurrency slot, as the bot logs it.
 * - overhead: raw minus queue wait. It is what the app itself adds to the model's time: dedup, the
 *   download, the image preparation, request building, the budget, every Slack call, and waiting for
 *   CPU behind the other answers in flight. It also includes the fakes' own time to serve the file
 *   and parse the request (same machine, two cores), so it is an upper bound.
 * - peak RSS and CPU time of the bot process (process.resourceUsage() at its exit).
 * - exactly-once: every thread has exactly one bot message, and it holds the model's answer.
 *
 * - in the bot process (bot-process.ts, diagnostics only the benchmark sets up): the server-side ack,
 *   from the HTTP server's "request" event to the response's "finish"; when each request reached the
 *   bot's JavaScript; and the bot's event-loop delay during the burst. The bench process's own
 *   event-loop delay is measured too, since the driver's ack includes it.
 *
 * Run: cd test && pnpm bench:bot. Options: GLANCE_BENCH_MENTIONS (default 100), GLANCE_BENCH_CONCURRENCY (comma-separated
 * GLANCE_MAX_CONCURRENT values, default 8,16,32,100), GLANCE_BENCH_REPEAT (runs each, default 3),
 * GLANCE_BENCH_DETAILED (the value the detailed table is for, default 16), GLANCE_FAST_IMAGES,
 * GLANCE_BENCH_CPU_PROFILE (a folder for the bot's --cpu-prof output), GLANCE_BENCH_WRITE=no.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { createSlackDriver } from "../fakes/slack-driver.js";
import { screenshot4kPng, screenshotPng } from "../support/media-factory.js";
import type { BotProcessReport } from "./bot-process.js";

/** GLANCE_BENCH_MENTIONS: fewer mentions show one answer's overhead without the burst's CPU contention. */
const mentions = Number(process.env.GLANCE_BENCH_MENTIONS ?? 100);
/**
 * Answers worked on at once. With fast images an answer costs the bot a few milliseconds of CPU, so
 * 100 slots let every answer wait for the model side by side; the model (500 ms each) is never what
 * an answer queues for. Lower values are worth running to see queueing appear.
 */
const concurrencies = (process.env.GLANCE_BENCH_CONCURRENCY ?? "8,16,32,100").split(",").map(Number);
/** The row the detailed table is written for: the bot's default GLANCE_MAX_CONCURRENT. */
const detailedConcurrency = Number(process.env.GLANCE_BENCH_DETAILED ?? 16);
/**
 * Runs per GLANCE_MAX_CONCURRENT value; the run with the median driver-side ack p99 is reported. The
 * machine is small (two cores) and often shared, so one run can be far off; the median run is not.
 */
const repeats = Number(process.env.GLANCE_BENCH_REPEAT ?? 3);
/** Set to a folder: the bot process writes a V8 CPU profile there (--cpu-prof), for finding what blocks acks. */
const cpuProfileFolder = process.env.GLANCE_BENCH_CPU_PROFILE;
const fastImages = process.env.GLANCE_FAST_IMAGES ?? "on";
const modelMilliseconds = 500;
const channel = "C0BENCH";
const user = "U0BENCH";

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function startBotProcess(
  fake: FakeSlack,
  model: FakeModelStudio,
  concurrency: number,
): Promise<{ child: ChildProcess; port: number }> {
  const profiling = cpuProfileFolder === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileFolder}`];
  const child = fork(fileURLToPath(new URL("./bot-process.ts", import.meta.url)), {
    execArgv: ["--conditions=glance-source", "--import", "tsx", ...profiling],
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      DASHSCOPE_API_KEY: model.apiKey,
      DASHSCOPE_BASE_URL: model.baseUrl,
      PORT: "0",
      GLANCE_MAX_CONCURRENT: String(concurrency),
      GLANCE_MAX_QUEUED: String(mentions * 2),
      GLANCE_FAST_IMAGES: fastImages,
      BENCH_TRUSTED_FILE_ORIGIN: fake.fileHostUrl,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`The bot process exited early (code ${code}).`)));
    child.once("message", (message: { type?: string; port?: number }) => {
      if (message.type === "ready" && typeof message.port === "number") resolve({ child, port: message.port });
      else reject(new Error(`Unexpected first message from the bot process: ${JSON.stringify(message)}`));
    });
  });
}

function stopBotProcess(child: ChildProcess): Promise<BotProcessReport> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("message", (message: { type?: string }) => {
      if (message.type === "report") resolve(message as BotProcessReport);
    });
    child.send({ type: "stop" });
  });
}

interface RunResult {
  concurrency: number;
  /** The driver's ack p99, to pick the median run by. */
  ackP99: number;
  rows: Array<[string, string, string, string]>;
  summary: string[];
  warnings: string[];
}

async function runOnce(screenshot: Buffer, concurrency: number): Promise<RunResult> {
  const loadBefore = loadavg()[0] ?? 0;
  const [fake, model]: [FakeSlack, FakeModelStudio] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "bench" });
  const { child, port } = await startBotProcess(fake, model, concurrency);
  const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, fake });
  // Warm-up outside the measurement, as a bot that has been running a while is: Bolt's first event
  // waits for auth.test, and sharp, the tokenizer and the OpenAI SDK load on first use. One mention
  // with a small screenshot goes through every step once.
  model.script(fakeSteps.slow(10, "Warm-up answer."));
  const warmUpFile = fake.addFile({
    name: "warm-up.png",
    mimetype: "image/png",
    content: await readFile(await screenshotPng()),
    user,
  });
  const warmUp = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> warm up`, files: [warmUpFile] });
  await driver.sendEvent(driver.appMention(channel, warmUp));
  while (!fake.messages(channel).some((item) => item.thread_ts === warmUp.ts && /Warm-up answer/.test(item.text))) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let index = 0; index < mentions; index += 1) {
    model.script(fakeSteps.slow(modelMilliseconds, `Answer ${index}: the layout looks fine.`));
  }

  let benchPeakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    benchPeakRss = Math.max(benchPeakRss, process.memoryUsage().rss);
  }, 50);

  const messages: FakeSlackMessage[] = [];
  for (let index = 0; index < mentions; index += 1) {
    const file = fake.addFile({ name: `screen-${index}.png`, mimetype: "image/png", content: screenshot, user });
    messages.push(
      fake.postUserMessage(channel, {
        user,
        text: `<@${fake.botUserId}> anything wrong here? #${index}`,
        files: [file],
      }),
    );
  }
  child.send({ type: "burst" });
  // The driver's ack times include this process's own event-loop delay (the fakes serve the files and
  // parse the model requests here), so it is measured too.
  const benchLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  benchLoopDelay.enable();
  // The message has to be in the bot process before the first event arrives there.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const startedAt = Date.now();
  const acks = await Promise.all(
    messages.map(async (message) => {
      const sentAt = Date.now();
      const delivery = await driver.sendEvent(driver.appMention(channel, message));
      return { ts: message.ts, sentAt, delivery };
    }),
  );
  const deadline = Date.now() + 180_000;
  const answered = (ts: string) =>
    fake.messages(channel).filter((item) => item.thread_ts === ts && item.bot_id !== undefined);
  while (acks.some((ack) => !/Answer \d+/.test(answered(ack.ts)[0]?.text ?? "")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  benchLoopDelay.disable();
  const report = await stopBotProcess(child);
  const wallMilliseconds = Date.now() - startedAt;
  clearInterval(sampler);

  const ackTimes = acks.map((ack) => ack.delivery.milliseconds);
  const serverAcks = report.serverAcks;
  // How long after the first event was sent each request reached the bot's JavaScript: the part of the
  // driver's ack spent before the bot could see the request (sending, connecting, the bot's event loop).
  const arrivals = report.serverArrivals.map((arrivedAt) => arrivedAt - startedAt);
  const raw: number[] = [];
  const overheads: number[] = [];
  const afterAck: number[] = [];
  const waits: number[] = [];
  const working: number[] = [];
  let exactlyOnce = 0;
  for (const ack of acks) {
    const replies = answered(ack.ts);
    if (replies.length === 1 && /Answer \d+/.test(replies[0]?.text ?? "")) exactlyOnce += 1;
    const replyTs = replies[0]?.ts;
    const finals = fake.calls.filter(
      (call) => (call.method === "chat.stopStream" || call.method === "chat.update") && call.arguments.ts === replyTs,
    );
    const last = finals.at(-1);
    const wait = report.queueWaits[ack.ts];
    if (last === undefined || wait === undefined) continue;
    const total = last.receivedAt - ack.sentAt - modelMilliseconds;
    raw.push(total);
    waits.push(wait);
    overheads.push(total - wait);
    // The same, counted from the moment the driver had the 200: the event is in the app by then, so
    // this leaves out the delivery (the driver's fetch, the kernel, the burst's other requests) that
    // the ack columns show, and keeps everything the app does after it.
    afterAck.push(last.receivedAt - (ack.sentAt + ack.delivery.milliseconds) - modelMilliseconds - wait);
    const start = fake.calls.find(
      (call) =>
        (call.method === "chat.startStream" || call.method === "chat.postMessage") &&
        call.arguments.thread_ts === ack.ts,
    );
    if (start !== undefined) working.push(last.receivedAt - start.receivedAt - modelMilliseconds);
  }
  const non200 = acks.filter((ack) => ack.delivery.status !== 200).length;
  const peakRss = report.maxRssKilobytes * 1024;
  const cpuSeconds = (report.userCpuMicroseconds + report.systemCpuMicroseconds) / 1e6;
  const milliseconds = (value: number) => `${value.toFixed(0)} ms`;
  const rows: Array<[string, string, string, string]> = [
    [
      "Ack latency p50, driver (signed POST sent to 200 received)",
      `${percentile(ackTimes, 0.5).toFixed(1)} ms`,
      "",
      "",
    ],
    [
      "Ack latency p99, driver",
      `${percentile(ackTimes, 0.99).toFixed(1)} ms`,
      "< 100 ms",
      percentile(ackTimes, 0.99) < 100 ? "met" : "MISSED",
    ],
    [
      "Ack latency p50 / p99, bot (request event to response finished)",
      `${percentile(serverAcks, 0.5).toFixed(1)} ms / ${percentile(serverAcks, 0.99).toFixed(1)} ms`,
      "",
      "",
    ],
    [
      "Requests reaching the bot's JavaScript, after the first send: p50 / p99 / last",
      `${percentile(arrivals, 0.5).toFixed(0)} ms / ${percentile(arrivals, 0.99).toFixed(0)} ms / ${percentile(arrivals, 1).toFixed(0)} ms`,
      "",
      "",
    ],
    [
      "Event-loop delay of the bot during the burst, p50 / p99 / max",
      `${report.eventLoopDelay.p50.toFixed(0)} ms / ${report.eventLoopDelay.p99.toFixed(0)} ms / ${report.eventLoopDelay.max.toFixed(0)} ms`,
      "",
      "",
    ],
    [
      "Event-loop delay of the bench process (driver + fakes) during the burst, p50 / p99 / max",
      `${(benchLoopDelay.percentile(50) / 1e6).toFixed(0)} ms / ${(benchLoopDelay.percentile(99) / 1e6).toFixed(0)} ms / ${(benchLoopDelay.max / 1e6).toFixed(0)} ms`,
      "",
      "",
    ],
    [
      "Overhead per answer p50 (event sent to final Slack call, minus 500 ms model, minus queue wait)",
      milliseconds(percentile(overheads, 0.5)),
      "< 100 ms",
      percentile(overheads, 0.5) < 100 ? "met" : "MISSED",
    ],
    ["Overhead per answer p99", milliseconds(percentile(overheads, 0.99)), "", ""],
    [
      "Overhead after the ack p50 / p99 (200 received by the driver to final Slack call, minus 500 ms model, minus queue wait)",
      `${milliseconds(percentile(afterAck, 0.5))} / ${milliseconds(percentile(afterAck, 0.99))}`,
      "< 100 ms (p50)",
      percentile(afterAck, 0.5) < 100 ? "met" : "MISSED",
    ],
    [
      "Queue wait p50 / p99",
      `${milliseconds(percentile(waits, 0.5))} / ${milliseconds(percentile(waits, 0.99))}`,
      "",
      "",
    ],
    [
      "Raw, event sent to final Slack call minus 500 ms, p50 / p99",
      `${milliseconds(percentile(raw, 0.5))} / ${milliseconds(percentile(raw, 0.99))}`,
      "",
      "",
    ],
    ["Placeholder to final Slack call minus 500 ms, p50", milliseconds(percentile(working, 0.5)), "", ""],
    [
      "Peak RSS of the bot process (maxRSS)",
      `${(peakRss / 1024 / 1024).toFixed(0)} MB`,
      "< 512 MB",
      peakRss < 512 * 1024 * 1024 ? "met" : "MISSED",
    ],
    [
      "CPU time of the bot process (user + system), per answer",
      `${cpuSeconds.toFixed(1)} s, ${((cpuSeconds * 1000) / mentions).toFixed(0)} ms`,
      "",
      "",
    ],
    [
      "Answered exactly once",
      `${exactlyOnce} / ${mentions}`,
      `${mentions} / ${mentions}`,
      exactlyOnce === mentions ? "met" : "MISSED",
    ],
    ["Acks not 200", String(non200), "0", non200 === 0 ? "met" : "MISSED"],
    ["Wall time, first send to last answer", `${(wallMilliseconds / 1000).toFixed(1)} s`, "", ""],
    [
      "Peak RSS of the bench process (fakes + driver), for reference",
      `${(benchPeakRss / 1024 / 1024).toFixed(0)} MB`,
      "",
      "",
    ],
  ];
  const summary = [
    String(concurrency),
    `${percentile(ackTimes, 0.5).toFixed(0)} / ${percentile(ackTimes, 0.99).toFixed(0)}`,
    `${percentile(serverAcks, 0.5).toFixed(1)} / ${percentile(serverAcks, 0.99).toFixed(1)}`,
    `${percentile(arrivals, 0.5).toFixed(0)} / ${percentile(arrivals, 1).toFixed(0)}`,
    `${report.eventLoopDelay.p99.toFixed(0)} / ${report.eventLoopDelay.max.toFixed(0)}`,
    `${(benchLoopDelay.percentile(99) / 1e6).toFixed(0)} / ${(benchLoopDelay.max / 1e6).toFixed(0)}`,
    `${percentile(overheads, 0.5).toFixed(0)} / ${percentile(overheads, 0.99).toFixed(0)}`,
    `${percentile(afterAck, 0.5).toFixed(0)} / ${percentile(afterAck, 0.99).toFixed(0)}`,
    `${percentile(waits, 0.5).toFixed(0)} / ${percentile(waits, 0.99).toFixed(0)}`,
    `${((cpuSeconds * 1000) / mentions).toFixed(1)}`,
    `${(wallMilliseconds / 1000).toFixed(1)} s`,
    `${(peakRss / 1024 / 1024).toFixed(0)} MB`,
    `${exactlyOnce} / ${mentions}`,
    loadBefore.toFixed(1),
  ];
  await Promise.all([fake.close(), model.close()]);
  return { concurrency, ackP99: percentile(ackTimes, 0.99), rows, summary, warnings: report.warnings };
}

const notesMarker = "<!-- analysis: kept across runs -->";

function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

async function main(): Promise<void> {
  const screenshot = await readFile(await screenshot4kPng());
  const results: RunResult[] = [];
  for (const concurrency of concurrencies) {
    const runs: RunResult[] = [];
    for (let run = 0; run < repeats; run += 1) {
      const result = await runOnce(screenshot, concurrency);
      process.stdout.write(`GLANCE_MAX_CONCURRENT=${concurrency}: ${result.summary.join(" | ")}\n`);
      if (result.warnings.length > 0) {
        process.stdout.write(`Bot warnings:\n${result.warnings.slice(0, 10).join("\n")}\n`);
      }
      runs.push(result);
    }
    const median = [...runs].sort((left, right) => left.ackP99 - right.ackP99)[Math.floor((runs.length - 1) / 2)];
    if (median !== undefined) results.push(median);
  }
  const summaryTable = markdownTable(
    [
      "GLANCE_MAX_CONCURRENT",
      "Ack p50 / p99, driver (ms)",
      "Ack p50 / p99, bot (ms)",
      "Request reaches bot p50 / last (ms)",
      "Bot event-loop delay p99 / max (ms)",
      "Bench event-loop delay p99 / max (ms)",
      "Overhead p50 / p99 (ms)",
      "Overhead after the ack p50 / p99 (ms)",
      "Queue wait p50 / p99 (ms)",
      "Bot CPU per answer (ms)",
      "Wall time",
      "Peak RSS",
      "Answered once",
      "Load average before",
    ],
    results.map((result) => result.summary),
  );
  const detailed = results.find((result) => result.concurrency === detailedConcurrency) ?? results.at(-1);
  const detailedTable =
    detailed === undefined
      ? ""
      : `\n\n## Details at GLANCE_MAX_CONCURRENT=${detailed.concurrency}\n\n${markdownTable(["Measure", "Result", "Target", ""], detailed.rows)}`;
  const text = `# Slack app benchmark\n\n${mentions} concurrent mentions, each with its own 3840x2160 PNG screenshot (${(screenshot.length / 1024).toFixed(0)} KB), fake model answering after ${modelMilliseconds} ms, GLANCE_FAST_IMAGES=${fastImages}, streaming on, ${repeats} runs per GLANCE_MAX_CONCURRENT value (fresh bot process and fakes each), the run with the median driver-side ack p99 shown. The bot runs in its own Node process; the fakes and the driver in the bench process. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.\n\nAck "driver" is the Slack driver's time from sending the signed POST to receiving the 200 (it includes the bench process's own event-loop delay); ack "bot" is measured inside the bot process, from its HTTP server's "request" event to the response's "finish" (it does not include the time before the bot's JavaScript saw the request: "request reaches bot" is that moment, counted from the driver's first send). Overhead is event sent to final Slack call, minus the 500 ms model, minus queue wait; "after the ack" counts the same from the driver's 200 instead, leaving out the delivery of the event. Bot CPU is the bot process's user + system time over the whole run (warm-up included) divided by the mentions: unlike the latencies, it hardly moves with the machine's load.\n\n${summaryTable}${detailedTable}\n`;
  process.stdout.write(`${text}\n`);
  if (process.env.GLANCE_BENCH_WRITE !== "no") {
    // The hand-written analysis below the marker survives a new run; the tables above it are replaced.
    const resultsPath = fileURLToPath(new URL("./bot-results.md", import.meta.url));
    const previous = await readFile(resultsPath, "utf8").catch(() => "");
    const notesAt = previous.indexOf(notesMarker);
    const notes = notesAt === -1 ? "" : `\n${previous.slice(notesAt)}`;
    await writeFile(resultsPath, `${text}${notes}`);
  }
}

await main();
