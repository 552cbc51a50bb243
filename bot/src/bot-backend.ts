import type { BotLogger } from "./bot-logger.js";
import type { BotConfig } from "./config.js";
import { AnswerQueue } from "./queue/answer-queue.js";
import { type BotState, createMemoryState } from "./state/bot-state.js";
import { FileState } from "./state/file-state.js";
import { RedisState } from "./state/redis-state.js";

/** Where the bot keeps its state, and whether answers go through the durable queue. */
export interface BotBackend {
  state: BotState;
  /** Set with GLANCE_REDIS_URL: every replica enqueues answers here and works them. */
  answerQueue: AnswerQueue | undefined;
}

/**
 * The one place that picks the backend from the configuration:
 * - GLANCE_REDIS_URL: state in Redis, answers through a BullMQ queue on it; any number of replicas.
 * - GLANCE_STORE_FILE: state in a crash-safe JSON file; one process.
 * - neither: state in memory; one process, nothing to set up (the default).
 * Fails with one line when Redis cannot be reached or the file cannot be written.
 */
export async function openBackend(config: BotConfig, logger: BotLogger): Promise<BotBackend> {
  if (config.redisUrl !== undefined) {
    if (config.storeFile !== undefined) {
      logger.warn("GLANCE_STORE_FILE is not used: GLANCE_REDIS_URL is set, and the state is kept in Redis.");
    }
    const state = await RedisState.open({ url: config.redisUrl, prefix: config.redisPrefix, logger });
    try {
      const answerQueue = await AnswerQueue.open({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        concurrency: config.maxConcurrentAnswers,
        maxQueued: config.maxQueuedAnswers,
        logger,
      });
      return { state, answerQueue };
    } catch (error) {
      await state.close();
      throw error;
    }
  }
  if (config.storeFile !== undefined) {
    return { state: await FileState.open({ path: config.storeFile, logger }), answerQueue: undefined };
  }
  return { state: createMemoryState(), answerQueue: undefined };
}
