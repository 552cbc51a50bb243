import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run atomically on the server: sent once, then called by its SHA1 (EVALSHA); sent again
 * when the server does not know it (NOSCRIPT: a restart or SCRIPT FLUSH). Redis runs a script as one
 * operation, so what it reads and writes cannot interleave with another replica's calls.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], values: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...values);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...values);
    }
  }
}
