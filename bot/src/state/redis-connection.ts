import { Redis, type RedisOptions } from "ioredis";

/** Where a Redis connection reports that it lost the server or got it back. */
export interface RedisConnectionLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The URL without its password, for messages: redis://host:port/db. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}

/**
 * Opens one connection to the Redis at `url` and checks it answers (PING) before returning, so a
 * wrong URL or a server that is down ends the start-up with one line instead of a retry loop. After
 * that, ioredis reconnects by itself; a lost server is logged once (not on every retry) and again when
 * it is back, and never reaches the process as an unhandled 'error' event.
 */
export async function connectRedis(
  url: string,
  options: { purpose: string; logger: RedisConnectionLogger; redisOptions?: RedisOptions },
): Promise<Redis> {
  const where = describeRedisUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5_000,
    // Reconnect quickly at first, then every 2 s: a restarted Redis is picked up within seconds.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...options.redisOptions,
  });
  let lost = false;
  redis.on("error", (error: unknown) => {
    if (lost) return;
    lost = true;
    options.logger.warn(
      `Lost the connection to Redis at ${where} (${options.purpose}): ${error instanceof Error ? error.message : String(error)}. Reconnecting.`,
    );
  });
  redis.on("ready", () => {
    if (!lost) return;
    lost = false;
    options.logger.info(`Connected to Redis at ${where} again (${options.purpose}).`);
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `GLANCE_REDIS_URL: cannot reach Redis at ${where} (${error instanceof Error ? error.message : String(error)}). Start Redis or fix the URL.`,
    );
  }
  // A failure before the first ready is the start-up's to report, not a "lost" connection.
  lost = false;
  return redis;
}
