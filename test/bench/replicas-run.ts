/*
 * Benchmark of the Slack app scaled out (not a timed test): 1, 2 and 4 replicas on one Redis
 * (GLANCE_REDIS_URL: shared state and the durable BullMQ answer queue), 200 mentions delivered at once,
 * spread over the replicas' HTTP receivers as a load balancer would, each with its own 1280x800
 * screenshot, against the fake Slack and a fake model that answers after 500 ms.
 *
 * Each replica is its own Node process (bot-process.ts, forked; GLANCE_MAX_CONCURRENT at its default,
 * 16 per replica); the fakes and the driver stay in this process. Redis is a private redis-server
 * (test/support/redis-server.ts) or GLANCE_TEST_REDIS_URL.
 *
 * Measured per replica count:
 * - throughput: answers per second, from the first event sent to the last answer's final Slack call.
 * - ack p99: at the driver (signed POST to its 200) and inside the bots (HTTP "request" to "finish").
 * - answer overhead p50/p99: event sent to final Slack call, minus the model's 500 ms, minus the time
 *   the job waited in the queue for a free worker slot (event sent to "started on this replica").
 * - queue wait p50/p99 (that time), and Redis commands per answer (INFO commandstats over the burst:
 *   state, queue, locks, idle workers' polling, all included).
 * - peak RSS of each replica (maxRSS), and how the answers were spread over the replicas.
 * And the recovery time: 2 replicas, a mention whose first model call hangs, the replica working on
 * it killed with SIGKILL; the time from the kill to the answer finished by the other replica.
 *
 * Run: cd test && pnpm bench:replicas (or pnpm bench at the root). Options: GLANCE_BENCH_REPLICAS
 * (default 1,2,4), GLANCE_BENCH_MENTIONS (default 200), GLANCE_BENCH_WRITE=no.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { createSlackDriver, type DeliveryResult, type SlackDriver } from "../fakes/slack-driver.js";
import { screenshotPng } from "../support/media-factory.js";
import { startTestRedis, uniquePrefix } from "../support/redis-server.js";
import type { BotProcessReport } from "./bot-process.js";

const replicaCounts = (process.env.GLANCE_BENCH_REPLICAS ?? "1,2,4").split(",").map(Number);
const mentions = Number(process.env.GLANCE_BENCH_MENTIONS ?? 200);
const modelMilliseconds = 500;
const channel = "C0SCALE";
const user = "U0SCALE";

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

interface Replica {
  child: ChildProcess;
  driver: SlackDriver;
  /** The answers this replica started, by the mention's ts (epoch ms). */
  starts: Map<string, number>;
}

function startReplica(fake: FakeSlack, model: FakeModelStudio, redisUrl: string, prefix: string): Promise<Replica> {
  const child = fork(fileURLToPath(new URL("./bot-process.ts", import.meta.url)), {
    execArgv: ["--conditions=glance-source", "--import", "tsx"],
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: fake.signingSecret,
      SLACK_API_URL: fake.apiUrl,
      DASHSCOPE_API_KEY: model.apiKey,
      DASHSCOPE_BASE_URL: model.baseUrl,
      PORT: "0",
      GLANCE_REDIS_URL: redisUrl,
      GLANCE_REDIS_PREFIX: prefix,
      GLANCE_MAX_QUEUED: String(mentions * 2),
      BENCH_TRUSTED_FILE_ORIGIN: fake.fileHostUrl,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const starts = new Map<string, number>();
  child.on("message", (message: { type?: string; ts?: string; at?: number }) => {
    if (message.type === "started" && message.ts !== undefined && message.at !== undefined) {
      starts.set(message.ts, message.at);
    }
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`A replica exited early (code ${code}).`)));
    child.once("message", (message: { type?: string; port?: number }) => {
      if (message.type === "ready" && typeof message.port === "number") {
        child.removeAllListeners("exit");
        const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${message.port}/slack/events`, fake });
        resolve({ child, driver, starts });
      } else reject(new Error(`Unexpected first message from a replica: ${JSON.stringify(message)}`));
    });
  });
}

function stopReplica(replica: Replica): Promise<BotProcessReport> {
  return new Promise((resolve) => {
    replica.child.on("message", (message: { type?: string }) => {
      if (message.type === "report") resolve(message as BotProcessReport);
    });
    replica.child.send({ type: "stop" });
  });
}

async function commandsSoFar(redis: Redis): Promise<number> {
  const stats = await redis.info("commandstats");
  let total = 0;
  for (const match of stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

/** The bot's messages in a mention's thread. */
function answersOf(fake: FakeSlack, ts: string): FakeSlackMessage[] {
  return fake.messages(channel).filter((item) => item.thread_ts === ts && item.bot_id !== undefined);
}

/** Mentions until every replica has answered at least one: each loads sharp, the tokenizer and the SDKs once. */
async function warmUp(fake: FakeSlack, model: FakeModelStudio, replicas: readonly Replica[], image: Buffer) {
  for (let attempt = 0; attempt < 10 * replicas.length; attempt += 1) {
    if (replicas.every((replica) => replica.starts.size > 0)) return;
    const replica = replicas[attempt % replicas.length];
    if (replica === undefined) break;
    model.script(fakeSteps.slow(10, "Warm-up answer."));
    const file = fake.addFile({ name: `warm-up-${attempt}.png`, mimetype: "image/png", content: image, user });
    const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> warm up`, files: [file] });
    await replica.driver.sendEvent(replica.driver.appMention(channel, message));
    const deadline = Date.now() + 60_000;
    while (!answersOf(fake, message.ts).some((item) => /Warm-up answer/.test(item.text)) && Date.now() < deadline) {
      await sleep(50);
    }
  }
  if (!replicas.every((replica) => replica.starts.size > 0)) process.stdout.write("Not every replica warmed up.\n");
}

interface ScaleResult {
  replicas: number;
  row: string[];
  warnings: string[];
}

async function runScale(redis: { url: string; client: Redis }, replicaCount: number, image: Buffer) {
  const loadBefore = loadavg()[0] ?? 0;
  const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "scale" });
  const prefix = uniquePrefix(`bench-${replicaCount}`);
  const replicas = await Promise.all(
    Array.from({ length: replicaCount }, () => startReplica(fake, model, redis.url, prefix)),
  );
  await warmUp(fake, model, replicas, image);
  for (const replica of replicas) replica.starts.clear();
  for (const replica of replicas) replica.child.send({ type: "burst" });
  await sleep(500);
  for (let index = 0; index < mentions; index += 1) {
    model.script(fakeSteps.slow(modelMilliseconds, `Answer ${index}: the layout looks fine.`));
  }
  const messages: FakeSlackMessage[] = [];
  for (let index = 0; index < mentions; index += 1) {
    const file = fake.addFile({ name: `screen-${index}.png`, mimetype: "image/png", content: image, user });
    messages.push(
      fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> anything wrong? #${index}`, files: [file] }),
    );
  }
  const commandsBefore = await commandsSoFar(redis.client);
  const startedAt = Date.now();
  const acks = await Promise.all(
    messages.map(async (message, index): Promise<{ ts: string; sentAt: number; delivery: DeliveryResult }> => {
      const replica = replicas[index % replicas.length];
      if (replica === undefined) throw new Error("No replica.");
      const sentAt = Date.now();
      const delivery = await replica.driver.sendEvent(replica.driver.appMention(channel, message));
      return { ts: message.ts, sentAt, delivery };
    }),
  );
  const deadline = Date.now() + 300_000;
  const done = (ts: string) => /Answer \d+/.test(answersOf(fake, ts)[0]?.text ?? "");
  while (acks.some((ack) => !done(ack.ts)) && Date.now() < deadline) await sleep(50);
  const commands = (await commandsSoFar(redis.client)) - commandsBefore;
  const reports = await Promise.all(replicas.map(stopReplica));

  const driverAcks = acks.map((ack) => ack.delivery.milliseconds);
  const botAcks = reports.flatMap((report) => report.serverAcks);
  const starts = new Map<string, number>();
  for (const replica of replicas) for (const [ts, at] of replica.starts) starts.set(ts, at);
  const overheads: number[] = [];
  const waits: number[] = [];
  let exactlyOnce = 0;
  let lastFinal = startedAt;
  for (const ack of acks) {
    const replies = answersOf(fake, ack.ts);
    if (replies.length === 1 && /Answer \d+/.test(replies[0]?.text ?? "")) exactlyOnce += 1;
    const finals = fake.calls.filter(
      (call) =>
        (call.method === "chat.stopStream" || call.method === "chat.update") && call.arguments.ts === replies[0]?.ts,
    );
    const last = finals.at(-1);
    const startedOn = starts.get(ack.ts);
    if (last === undefined || startedOn === undefined) continue;
    lastFinal = Math.max(lastFinal, last.receivedAt);
    const wait = Math.max(0, startedOn - ack.sentAt);
    waits.push(wait);
    overheads.push(last.receivedAt - ack.sentAt - modelMilliseconds - wait);
  }
  const wallSeconds = (lastFinal - startedAt) / 1000;
  const spread = replicas.map((replica) => replica.starts.size).join(" / ");
  const rss = reports.map((report) => `${(report.maxRssKilobytes / 1024).toFixed(0)}`).join(" / ");
  const row = [
    String(replicaCount),
    `${(mentions / wallSeconds).toFixed(1)} /s (${wallSeconds.toFixed(1)} s)`,
    `${percentile(driverAcks, 0.5).toFixed(0)} / ${percentile(driverAcks, 0.99).toFixed(0)}`,
    `${percentile(botAcks, 0.5).toFixed(1)} / ${percentile(botAcks, 0.99).toFixed(1)}`,
    `${percentile(overheads, 0.5).toFixed(0)} / ${percentile(overheads, 0.99).toFixed(0)}`,
    `${percentile(waits, 0.5).toFixed(0)} / ${percentile(waits, 0.99).toFixed(0)}`,
    (commands / mentions).toFixed(1),
    `${rss} MB`,
    spread,
    `${exactlyOnce} / ${mentions}`,
    loadBefore.toFixed(1),
  ];
  await Promise.all([fake.close(), model.close()]);
  return { replicas: replicaCount, row, warnings: reports.flatMap((report) => report.warnings) } satisfies ScaleResult;
}

/** Two replicas; the one working on a mention is killed; the time until the other one has answered it. */
async function runRecovery(redis: { url: string }, image: Buffer): Promise<string[]> {
  const [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "recovery" });
  const prefix = uniquePrefix("bench-recovery");
  const replicas = await Promise.all([0, 1].map(() => startReplica(fake, model, redis.url, prefix)));
  await warmUp(fake, model, replicas, image);
  model.script(fakeSteps.slow(120_000, "Too late."), fakeSteps.slow(modelMilliseconds, "Recovered answer."));
  const file = fake.addFile({ name: "recover.png", mimetype: "image/png", content: image, user });
  const message = fake.postUserMessage(channel, { user, text: `<@${fake.botUserId}> recover`, files: [file] });
  const first = replicas[0];
  if (first === undefined) throw new Error("No replica.");
  await first.driver.sendEvent(first.driver.appMention(channel, message));
  const deadline = Date.now() + 60_000;
  let working: Replica | undefined;
  while (working === undefined && Date.now() < deadline) {
    working = replicas.find((replica) => replica.starts.has(message.ts));
    await sleep(10);
  }
  if (working === undefined) throw new Error("No replica started the answer.");
  // Mid-answer: the placeholder is up and the model call is in flight.
  while (model.requests.length === 0 && Date.now() < deadline) await sleep(10);
  await sleep(500);
  const other = replicas.find((replica) => replica !== working);
  const killedAt = Date.now();
  working.child.kill("SIGKILL");
  while (
    !answersOf(fake, message.ts).some((item) => /Recovered answer/.test(item.text)) &&
    Date.now() < killedAt + 120_000
  ) {
    await sleep(20);
  }
  const answeredAt = Date.now();
  const takenOverAt = other?.starts.get(message.ts);
  const replies = answersOf(fake, message.ts);
  if (other !== undefined) await stopReplica(other);
  await Promise.all([fake.close(), model.close()]);
  return [
    `${((answeredAt - killedAt) / 1000).toFixed(1)} s`,
    takenOverAt === undefined ? "never" : `${((takenOverAt - killedAt) / 1000).toFixed(1)} s`,
    `${replies.length} message(s), ${replies.some((item) => /Recovered answer/.test(item.text)) ? "answered" : "NOT answered"}`,
  ];
}

function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

const notesMarker = "<!-- analysis: kept across runs -->";

async function main(): Promise<void> {
  const started = await startTestRedis("replicas benchmark");
  if (started.redis === undefined) {
    process.stdout.write(`Skipped the replicas benchmark: ${started.skip}\n`);
    return;
  }
  const redis = started.redis;
  try {
    const image = await readFile(await screenshotPng());
    const results: ScaleResult[] = [];
    for (const replicaCount of replicaCounts) {
      const result = await runScale(redis, replicaCount, image);
      process.stdout.write(`${replicaCount} replica(s): ${result.row.join(" | ")}\n`);
      if (result.warnings.length > 0) process.stdout.write(`Warnings:\n${result.warnings.slice(0, 10).join("\n")}\n`);
      results.push(result);
    }
    const recovery = await runRecovery(redis, image);
    process.stdout.write(`Recovery: ${recovery.join(" | ")}\n`);
    const scaleTable = markdownTable(
      [
        "Replicas",
        "Throughput (wall time)",
        "Ack p50 / p99, driver (ms)",
        "Ack p50 / p99, bots (ms)",
        "Answer overhead p50 / p99 (ms)",
        "Queue wait p50 / p99 (ms)",
        "Redis commands per answer",
        "Peak RSS per replica",
        "Answers per replica",
        "Answered once",
        "Load average before",
      ],
      results.map((result) => result.row),
    );
    const recoveryTable = markdownTable(
      ["Kill to answer finished", "Kill to the other replica starting it", "Thread"],
      [recovery],
    );
    const text = `# Slack app replicas benchmark\n\n${mentions} mentions sent at once, spread round-robin over the replicas' HTTP receivers, each with its own 1280x800 PNG screenshot, fake model answering after ${modelMilliseconds} ms, streaming on, GLANCE_MAX_CONCURRENT 16 per replica; every replica is its own Node process on one private redis-server (state and the BullMQ answer queue). Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, one run per row on a 2-core machine shared with other work (see the load average).\n\nOverhead is event sent to final Slack call, minus the 500 ms model, minus the queue wait (event sent until a replica started the answer). Redis commands are counted over the burst with INFO commandstats, which counts every command a Lua script runs (BullMQ's scripts and the bot's budget, throttle and media scripts) one by one; they include idle workers' polling, lock renewals and stalled-job checks.\n\n${scaleTable}\n\n## Recovering an answer after SIGKILL\n\nTwo replicas; the one working on a mention (placeholder posted, model call in flight) is killed with SIGKILL. The other replica takes the job over once its lock (10 s) has run out and a stalled-job check (every 5 s) has put it back in the queue, removes the placeholder, and answers.\n\n${recoveryTable}\n`;
    process.stdout.write(`${text}\n`);
    if (process.env.GLANCE_BENCH_WRITE !== "no") {
      const resultsPath = fileURLToPath(new URL("./replicas-results.md", import.meta.url));
      const previous = await readFile(resultsPath, "utf8").catch(() => "");
      const notesAt = previous.indexOf(notesMarker);
      const notes = notesAt === -1 ? "" : `\n${previous.slice(notesAt)}`;
      await writeFile(resultsPath, `${text}${notes}`);
    }
  } finally {
    await redis.close();
  }
}

await main();
