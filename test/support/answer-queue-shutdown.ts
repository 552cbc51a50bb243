/*
 * A process that holds only the bot's durable answer queue (a BullMQ worker on GLANCE_REDIS_URL), for
 * test/bot/redis-queue.test.ts: it says "ready" once its worker runs, closes the queue when it reads
 * a line on stdin (the test has stopped Redis by then), says "closed", and then must end by itself:
 * a timer or connection left behind would keep it alive.
 */
import { once } from "node:events";
import { AnswerQueue } from "../../bot/src/queue/answer-queue.js";

const url = process.env.GLANCE_REDIS_URL ?? "";
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const queue = await AnswerQueue.open({
  url,
  prefix: "shutdown",
  concurrency: 1,
  maxQueued: 10,
  logger: quiet,
  shutdownGraceMilliseconds: 1_000,
});
queue.start(
  async () => {},
  async () => {},
);
// The worker's first rounds (its lock renewal and stalled checks) are under way.
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write("ready\n");
await once(process.stdin, "data");
process.stdin.pause();
await queue.close();
process.stdout.write("closed\n");
