import type { Redis } from "ioredis";
import { z } from "zod";
import type { SlackFile } from "../slack-file.js";
import type { ThreadMessage } from "../thread-history.js";
import type { ThreadCache, ThreadKey } from "./thread-cache.js";

/** What a cached thread must look like to be used; anything else in the key is a cache miss. */
const cachedThreadSchema = z.array(
  z.object({
    ts: z.string(),
    fromBot: z.boolean(),
    text: z.string(),
    // Slack's own file objects, stored as the bot received them; downloads check them again.
    files: z.array(z.custom<SlackFile>((value) => typeof value === "object" && value !== null && "id" in value)),
  }),
);

/**
 * Threads shared by every replica: each one JSON value with a lifetime (SET PX), so a follow-up
 * answered by another replica does not read the thread from Slack again. Only a cache: an unreadable
 * value counts as missing, and Redis drops each thread when its lifetime ends.
 */
export class RedisThreadCache implements ThreadCache {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async get(thread: ThreadKey): Promise<ThreadMessage[] | undefined> {
    const text = await this.#redis.get(this.#key(thread));
    if (text === null) return undefined;
    try {
      const parsed = cachedThreadSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async set(thread: ThreadKey, messages: readonly ThreadMessage[], lifetimeMilliseconds: number): Promise<void> {
    await this.#redis.set(
      this.#key(thread),
      JSON.stringify(messages),
      "PX",
      Math.max(1, Math.ceil(lifetimeMilliseconds)),
    );
  }

  #key(thread: ThreadKey): string {
    return `${this.#prefix}:thread:${thread.channel}:${thread.threadTs}`;
  }
}
