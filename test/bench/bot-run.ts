/*
 * Benchmark of the Slack app (not a timed test): 100 concurrent mentions, each with its own 4K
 * screenshot, against the fake Slack and a fake model that answers after 500 ms.
 *
 * Measured:
 * - ack latency: the driver's DeliveryResult.milliseconds (signed POST to the HTTP receiver until its
 *   200), p50 and p99; Slack's limit is 3 s, the target p99 < 100 ms.
 * - overhead per answer: from the ack of the mention to the fake Slack receiving the answer's final
 *   call (chat.stopStream, or the last chat.update when streaming fell back), minus the model's fixed
 *   500 ms. It is everything the app does itself under this load: download, decode and resize of the
 *   4K image, request building, budget, the Slack calls, and waiting for CPU behind the other 99.
 * - peak RSS of this process (bot and fakes share it), sampled every 50 ms.
 * - exactly-once: every thread has exactly one bot message, and it holds the model's answer.
 *
 * Run: cd test && pnpm bench:bot
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../fakes/slack.js";
import { screenshot4kPng } from "../support/media-factory.js";
import { startBot } from "../support/start-bot.js";

const mentions = 100;
/** Answers worked on at once: 2 cores prepare ~8 4K images in the time the model takes for one, so the model is not the bottleneck. */
const concurrency = Number(process.env.GLANCE_BENCH_CONCURRENCY ?? 8);
const modelMilliseconds = 500;
const channel = "C0BENCH";
const user = "U0BENCH";

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

async function main(): Promise<void> {
  const screenshot = await readFile(await screenshot4kPng());
  const [fake, model]: [FakeSlack, FakeModelStudio] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
  fake.addChannel({ id: channel, name: "bench" });
  const running = await startBot(fake, model, {
    // Enough slots that the 500 ms model is never what an answer waits for.
    environment: { GLANCE_MAX_CONCURRENT: String(concurrency), GLANCE_MAX_QUEUED: String(mentions * 2) },
  });
  for (let index = 0; index < mentions; index += 1) {
    model.script(fakeSteps.slow(modelMilliseconds, `Answer ${index}: the layout looks fine.`));
  }

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
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
  const startedAt = Date.now();
  const acks = await Promise.all(
    messages.map(async (message) => {
      const delivery = await running.driver.sendEvent(running.driver.appMention(channel, message));
      return { ts: message.ts, ackedAt: Date.now(), delivery };
    }),
  );
  const deadline = Date.now() + 120_000;
  const answered = (ts: string) =>
    fake.messages(channel).filter((item) => item.thread_ts === ts && item.bot_id !== undefined);
  while (acks.some((ack) => !/Answer \d+/.test(answered(ack.ts)[0]?.text ?? "")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await running.bot.idle();
  const wallMilliseconds = Date.now() - startedAt;
  clearInterval(sampler);

  const ackTimes = acks.map((ack) => ack.delivery.milliseconds);
  const overheads: number[] = [];
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
    if (last !== undefined) overheads.push(last.receivedAt - ack.ackedAt - modelMilliseconds);
    // From the placeholder (the answer has its slot) to the final call: the work itself, no queueing.
    const start = fake.calls.find(
      (call) =>
        (call.method === "chat.startStream" || call.method === "chat.postMessage") &&
        call.arguments.thread_ts === ack.ts,
    );
    if (last !== undefined && start !== undefined) working.push(last.receivedAt - start.receivedAt - modelMilliseconds);
  }
  const non200 = acks.filter((ack) => ack.delivery.status !== 200).length;
  const rows: Array<[string, string, string, string]> = [
    ["Ack latency p50", `${percentile(ackTimes, 0.5).toFixed(1)} ms`, "", ""],
    [
      "Ack latency p99",
      `${percentile(ackTimes, 0.99).toFixed(1)} ms`,
      "< 100 ms",
      percentile(ackTimes, 0.99) < 100 ? "met" : "MISSED",
    ],
    [
      "Overhead per answer p50 (ack to final Slack call, minus 500 ms model)",
      `${percentile(overheads, 0.5).toFixed(0)} ms`,
      "< 150 ms",
      percentile(overheads, 0.5) < 150 ? "met" : "MISSED",
    ],
    ["Overhead per answer p99", `${percentile(overheads, 0.99).toFixed(0)} ms`, "", ""],
    [
      "Work per answer p50 (placeholder to final Slack call, minus 500 ms model; no queueing)",
      `${percentile(working, 0.5).toFixed(0)} ms`,
      "",
      "",
    ],
    [
      "Peak RSS (bot + fakes, one process)",
      `${(peakRss / 1024 / 1024).toFixed(0)} MB`,
      "< 512 MB",
      peakRss < 512 * 1024 * 1024 ? "met" : "MISSED",
    ],
    [
      "Answered exactly once",
      `${exactlyOnce} / ${mentions}`,
      `${mentions} / ${mentions}`,
      exactlyOnce === mentions ? "met" : "MISSED",
    ],
    ["Acks not 200", String(non200), "0", non200 === 0 ? "met" : "MISSED"],
    ["Wall time, first send to last answer", `${(wallMilliseconds / 1000).toFixed(1)} s`, "", ""],
  ];
  const table = [
    "| Measure | Result | Target | |",
    "| --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
  const report = `# Slack app benchmark\n\n${mentions} concurrent mentions, each with its own 3840x2160 PNG screenshot (${(screenshot.length / 1024).toFixed(0)} KB), fake model answering after ${modelMilliseconds} ms, GLANCE_MAX_CONCURRENT=${concurrency}, streaming on. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.\n\n${table}\n`;
  process.stdout.write(`${report}\n`);
  await writeFile(fileURLToPath(new URL("./bot-results.md", import.meta.url)), report);
  await running.stop();
  await Promise.all([fake.close(), model.close()]);
}

await main();
