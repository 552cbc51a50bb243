import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { AnswerAttempt, IncomingQuestion } from "../answer-question.js";
import type { BotLogger } from "../bot-logger.js";
import type { SlackFile } from "../slack-file.js";
import { connectRedis } from "../state/redis-connection.js";
import { RedisScript } from "../state/redis-script.js";

/** What one job carries: the question, and the messages attempts at it have posted so far. */
interface QueuedAnswer {
  question: IncomingQuestion;
  posted: string[];
}

/** Job data is read back from Redis: checked as data, never trusted for its shape. */
const queuedAnswerSchema = z.object({
  question: z.object({
    channel: z.string(),
    ts: z.string(),
    threadTs: z.string().optional(),
    userId: z.string(),
    text: z.string(),
    files: z.array(z.custom<SlackFile>((value) => typeof value === "object" && value !== null && "id" in value)),
    botUserId: z.string().optional(),
    teamId: z.string().optional(),
    userTeamId: z.string().optional(),
  }),
  posted: z.array(z.string()),
});

export interface AnswerQueueOptions {
  /** GLANCE_REDIS_URL. */
  url: string;
  /** GLANCE_REDIS_PREFIX: BullMQ's keys start with it too. */
  prefix: string;
  /** Jobs this replica works on at once (GLANCE_MAX_CONCURRENT). */
  concurrency: number;
  /**
   * Questions that may wait for a worker, over all replicas (GLANCE_MAX_QUEUED): past it, `enqueue`
   * and `reserve` say no at once, as the in-memory queue does.
   */
  maxQueued: number;
  logger: BotLogger;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it while the job runs). A
   * replica that dies holds its jobs at most this long. Default 10,000 ms.
   */
  lockMilliseconds?: number;
  /** How often each replica looks for jobs whose replica died. Default 5,000 ms. */
  stalledCheckMilliseconds?: number;
  /** On shutdown, how long answers in flight may take to finish before they are handed back. Default 20,000 ms. */
  shutdownGraceMilliseconds?: number;
}

/** BullMQ's worker, with a way to stop renewing its jobs' locks when its own close cannot finish. */
class AnswerWorker extends Worker<QueuedAnswer> {
  /** Stops the lock renewal timer (what close does once the blocking connection has ended). */
  async stopLockRenewal(): Promise<void> {
    await this.lockManager.close();
  }
}

/** The answers' queue in Redis; BullMQ's keys are `<prefix>:answers:...`. */
const queueName = "answers";

/**
 * How long a place in the shared queue counts at most. A place is given back when its job starts (or
 * its /ocr gets a slot); this bounds what a replica that died between taking a place and giving it
 * back can hold, and what a job that waits longer than this (every replica down) still counts.
 */
const placeLifetimeMilliseconds = 10 * 60 * 1000;

/**
 * Takes a place in the shared queue when fewer than the limit are taken. KEYS: the places (a sorted
 * set, member to expiry). ARGV: the member, the limit, the lifetime in ms. Returns 1 (taken, or the
 * member already had one: a redelivered question) or 0 (full). One script, so two replicas can never
 * both take the last place. Redis's own clock keeps the expiries of all replicas comparable.
 */
const takePlaceScript = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return 1
`);

/** Why `start`'s `onGaveUp` is called: the job will not be answered by any replica. */
export interface GivenUpAnswer {
  question: IncomingQuestion;
  /** Messages attempts at it posted (placeholders, partial answers), to be removed. */
  posted: readonly string[];
  /** BullMQ's reason, for the log. */
  reason: string;
  /** How many attempts stopped mid-answer (their replica died); 0 when the worker threw instead. */
  stoppedAttempts: number;
}

/**
 * The durable queue of answers (BullMQ on the same Redis as the state): a replica acknowledges an
 * event, claims it, and enqueues the question; any replica's worker answers it. A job holds a lock
 * that its worker renews while it answers; when a replica dies (SIGKILL, a crash, a lost machine), its
 * lock runs out and another replica's stalled-job check puts the job back in the queue, within
 * `lockMilliseconds` plus two check intervals (20 s with the defaults). The job records every message
 * an attempt posts (the ":eyes: Looking at..." placeholder first), so the attempt that takes over
 * removes them before answering: the thread ends with exactly one answer. On shutdown the worker stops
 * taking jobs and lets those in flight finish; any still running after the grace period are handed back
 * by letting their locks run out once the process has exited, so two replicas never work on one answer
 * at the same time.
 */
export class AnswerQueue {
  readonly #options: AnswerQueueOptions;
  readonly #queue: Queue<QueuedAnswer>;
  readonly #queueConnection: Redis;
  readonly #workerConnection: Redis;
  #worker: AnswerWorker | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: AnswerQueueOptions, queueConnection: Redis, workerConnection: Redis) {
    this.#options = options;
    this.#queueConnection = queueConnection;
    this.#workerConnection = workerConnection;
    this.#queue = new Queue<QueuedAnswer>(queueName, {
      connection: queueConnection,
      prefix: options.prefix,
      defaultJobOptions: {
        // An attempt never fails by throwing (every failure ends as a reply), so a thrown error is a
        // bug: running the answer again could post it twice.
        attempts: 1,
        // Completed jobs stay an hour: enqueueing the same message again within it is a no-op.
        removeOnComplete: { age: 60 * 60, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 60 * 60, count: 10_000 },
      },
    });
    this.#queue.on("error", (error: Error) => options.logger.warn(`The answer queue reported: ${error.message}`));
  }

  /** Connects (failing in one line when Redis cannot be reached). Nothing is worked on until `start`. */
  static async open(options: AnswerQueueOptions): Promise<AnswerQueue> {
    const connect = (purpose: string, redisOptions: { maxRetriesPerRequest: number | null; commandTimeout?: number }) =>
      connectRedis(options.url, { purpose, logger: options.logger, redisOptions });
    // Enqueueing fails after a few seconds when Redis is gone (the user is told); the worker's
    // connection waits for Redis as long as it takes (BullMQ requires it: maxRetriesPerRequest null).
    const queueConnection = await connect("answer queue", { maxRetriesPerRequest: 2, commandTimeout: 5_000 });
    try {
      const workerConnection = await connect("answer worker", { maxRetriesPerRequest: null });
      return new AnswerQueue(options, queueConnection, workerConnection);
    } catch (error) {
      queueConnection.disconnect();
      throw error;
    }
  }

  /**
   * Adds a question to the queue, or returns false at once when GLANCE_MAX_QUEUED questions already
   * wait for a worker over all replicas. Its job id is the message's, so adding the same message twice
   * (a redelivery that got past the claims) leaves one job.
   */
  async enqueue(question: IncomingQuestion): Promise<boolean> {
    const jobId = jobIdOf(question);
    if (!(await this.#takePlace(jobId))) return false;
    try {
      await this.#queue.add("answer", { question, posted: [] }, { jobId });
    } catch (error) {
      await this.#givePlaceBack(jobId).catch(() => {});
      throw error;
    }
    return true;
  }

  /**
   * Takes a place in the same shared queue for work that runs in this process (/ocr and the message
   * shortcuts), so it counts against GLANCE_MAX_QUEUED as questions do. Returns the function that gives
   * the place back (call it once the work has its slot), or undefined when the queue is full.
   */
  async reserve(): Promise<(() => Promise<void>) | undefined> {
    const member = `in-process-${randomUUID()}`;
    if (!(await this.#takePlace(member))) return undefined;
    return () => this.#givePlaceBack(member);
  }

  async #takePlace(member: string): Promise<boolean> {
    const taken = await takePlaceScript.run(
      this.#queueConnection,
      [this.#placesKey],
      [member, this.#options.maxQueued, placeLifetimeMilliseconds],
    );
    return taken === 1;
  }

  async #givePlaceBack(member: string): Promise<void> {
    await this.#queueConnection.zrem(this.#placesKey, member);
  }

  /** Outside BullMQ's own keys (`<prefix>:answers:...`), so no job id can ever clash with it. */
  get #placesKey(): string {
    return `${this.#options.prefix}:answer-places`;
  }

  /**
   * Starts this replica's worker: `work` answers each job, told what earlier attempts left. `onGaveUp`
   * is called once for a job no replica will answer: its replicas stopped mid-answer more than three
   * times (a question that crashes whoever answers it), or `work` threw.
   */
  start(
    work: (question: IncomingQuestion, attempt: AnswerAttempt) => Promise<void>,
    onGaveUp: (answer: GivenUpAnswer) => Promise<void>,
  ): void {
    if (this.#worker !== undefined) throw new Error("The answer queue's worker is already started.");
    const { logger } = this.#options;
    const lockMilliseconds = this.#options.lockMilliseconds ?? 10_000;
    this.#worker = new AnswerWorker(queueName, (job) => this.#work(job, work), {
      connection: this.#workerConnection,
      prefix: this.#options.prefix,
      concurrency: this.#options.concurrency,
      name: `${hostname()}:${process.pid}`,
      lockDuration: lockMilliseconds,
      stalledInterval: this.#options.stalledCheckMilliseconds ?? 5_000,
      // A job whose replicas keep dying (a poison message) is given up after three takeovers.
      maxStalledCount: 3,
    });
    // While Redis is away the worker reports every reconnection attempt: each distinct message once a minute.
    const reported = new Map<string, number>();
    this.#worker.on("error", (error: Error) => {
      const now = Date.now();
      if (now - (reported.get(error.message) ?? 0) < 60_000) return;
      reported.set(error.message, now);
      logger.warn(`The answer worker reported: ${error.message}`);
    });
    this.#worker.on("stalled", (jobId: string) => {
      logger.info(`The answer job ${jobId} was left by a replica that stopped; it is back in the queue.`);
    });
    this.#worker.on("failed", (job, error) => {
      logger.error(`The answer job ${job?.id ?? "(unknown)"} failed: ${error.message}`);
      if (job !== undefined) void this.#gaveUp(job, error.message, onGaveUp);
    });
  }

  /**
   * Tells the asker once. BullMQ fails a job on the one worker that picks it up after its last stall,
   * and the marker (SET NX) keeps it to one reply even if a failure were ever reported twice.
   */
  async #gaveUp(
    job: Job<QueuedAnswer>,
    reason: string,
    onGaveUp: (answer: GivenUpAnswer) => Promise<void>,
  ): Promise<void> {
    const { logger, prefix } = this.#options;
    try {
      const jobId = job.id ?? "";
      await this.#givePlaceBack(jobId);
      const parsed = queuedAnswerSchema.safeParse(job.data);
      if (!parsed.success) return;
      const first = await this.#queueConnection.set(
        `${prefix}:answer-given-up:${jobId}`,
        "1",
        "PX",
        7 * 24 * 60 * 60 * 1000,
        "NX",
      );
      if (first !== "OK") return;
      await onGaveUp({
        question: questionOf(parsed.data.question),
        posted: parsed.data.posted,
        reason,
        stoppedAttempts: job.stalledCounter,
      });
    } catch (error) {
      logger.error(
        `Could not tell the asker that the answer job ${job.id ?? ""} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Questions waiting for a worker, over all replicas (for health checks and metrics). */
  async waitingCount(): Promise<number> {
    return this.#queue.getWaitingCount();
  }

  /**
   * Stops taking jobs and waits up to the grace period for those in flight; the ones still running are
   * handed back (see the class comment) and the rest of the shutdown goes on. Then closes the connections.
   * Returns within the grace period plus a few seconds, whatever state Redis is in.
   */
  async close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const { logger } = this.#options;
    const grace = this.#options.shutdownGraceMilliseconds ?? 20_000;
    const worker = this.#worker;
    if (worker !== undefined) {
      const finished = await withTimeout(
        worker.close().then(() => true),
        grace,
        false,
      );
      if (!finished) {
        // BullMQ's close waits for the worker's blocking connection to end, which never happens while
        // Redis is away, and only then stops renewing locks: its renewal timer would keep the process
        // alive for good. The jobs still running are handed back anyway, so renewal stops here, and
        // the connections BullMQ opened for the worker are dropped.
        await worker.stopLockRenewal();
        await withTimeout(worker.disconnect(), 1_000, undefined);
        const lockSeconds = (this.#options.lockMilliseconds ?? 10_000) / 1000;
        logger.warn(
          `Answers were still running ${grace / 1000} s after the shutdown began: they are handed back, and another replica takes them over about ${lockSeconds} s after this one exits.`,
        );
      }
    }
    await withTimeout(this.#queue.close(), 3_000, undefined);
    for (const connection of [this.#queueConnection, this.#workerConnection]) {
      await withTimeout(
        connection.quit().then(() => undefined),
        1_000,
        undefined,
      ).catch(() => {});
      connection.disconnect();
    }
  }

  async #work(
    job: Job<QueuedAnswer>,
    work: (question: IncomingQuestion, attempt: AnswerAttempt) => Promise<void>,
  ): Promise<void> {
    const parsed = queuedAnswerSchema.safeParse(job.data);
    if (!parsed.success) {
      this.#options.logger.error(`The answer job ${job.id ?? ""} holds data this version cannot read; it is dropped.`);
      return;
    }
    const { question: stored, posted } = parsed.data;
    const question = questionOf(stored);
    // Started: the question no longer waits, so its place in the shared queue is free for the next one.
    await this.#givePlaceBack(job.id ?? jobIdOf(question)).catch((error: unknown) => {
      this.#options.logger.warn(
        `Could not free the queue place of ${job.id ?? ""}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.#options.logger.debug(
      `Answer for ${question.channel}/${question.ts} started on this replica (attempt ${job.attemptsStarted}).`,
    );
    const recorded = [...posted];
    let recording: Promise<void> = Promise.resolve();
    await work(question, {
      earlierMessages: posted,
      recordPosted: (ts) => {
        // One write at a time, each with every message so far: the job's data is replaced whole.
        recording = recording
          .then(async () => {
            recorded.push(ts);
            await job.updateData({ question, posted: [...recorded] });
          })
          // The answer matters more than the record: without it, a takeover could leave this message behind.
          .catch((error: unknown) => {
            this.#options.logger.warn(
              `Could not note message ${ts} in the answer job ${job.id ?? ""}: ${error instanceof Error ? error.message : String(error)}`,
            );
          });
        return recording;
      },
    });
  }
}

function questionOf(stored: z.infer<typeof queuedAnswerSchema>["question"]): IncomingQuestion {
  return {
    channel: stored.channel,
    ts: stored.ts,
    threadTs: stored.threadTs,
    userId: stored.userId,
    text: stored.text,
    files: stored.files,
    botUserId: stored.botUserId,
    teamId: stored.teamId,
    userTeamId: stored.userTeamId,
  };
}

/** The message's own id, as BullMQ accepts it (no colons, not a number). */
function jobIdOf(question: IncomingQuestion): string {
  return `${question.channel}-${question.ts}`;
}

async function withTimeout<Result>(work: Promise<Result>, milliseconds: number, fallback: Result): Promise<Result> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Result>((resolve) => {
    timer = setTimeout(() => resolve(fallback), milliseconds);
  });
  try {
    return await Promise.race([work.catch(() => fallback), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
