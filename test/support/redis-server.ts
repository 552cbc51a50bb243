/*
 * A real Redis for the tests that need one: GLANCE_TEST_REDIS_URL when it is set, otherwise a private
 * `redis-server` started on a free port of 127.0.0.1 for this test file (no persistence: --save "",
 * --appendonly no) and stopped at its end. Without either, the Redis suites are skipped with a notice
 * that says how to get one. Tests share a server safely by giving every bot and state its own key
 * prefix (uniquePrefix).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export interface TestRedis {
  url: string;
  /** A second connection for the test's own checks (key counts, command stats). */
  client: Redis;
  close(): Promise<void>;
}

export type TestRedisResult = { redis: TestRedis; skip: false } | { redis: undefined; skip: string };

const installNotice =
  "no redis-server on PATH and GLANCE_TEST_REDIS_URL is not set. Install Redis (Debian/Ubuntu: " +
  "apt-get install redis-server; macOS: brew install redis) or set GLANCE_TEST_REDIS_URL to a Redis the tests may write to.";

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("No port.");
  return address.port;
}

/** A key prefix no other test uses, so tests on one Redis never see each other's keys. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString("hex")}`;
}

/**
 * Starts (or finds) the Redis for a test file. When none is available, prints a visible notice and
 * returns the reason to skip with: `describe(name, { skip: result.skip }, ...)`. `ownServer`: always a
 * private redis-server (a test that stops it), never GLANCE_TEST_REDIS_URL.
 */
export async function startTestRedis(suite: string, options: { ownServer?: boolean } = {}): Promise<TestRedisResult> {
  const given = process.env.GLANCE_TEST_REDIS_URL;
  if (given !== undefined && given !== "" && options.ownServer !== true) {
    const client = new Redis(given, { maxRetriesPerRequest: 2 });
    return { redis: { url: given, client, close: async () => void (await client.quit()) }, skip: false };
  }
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await startServer(port);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    const reason = `${suite}: Redis tests skipped: ${installNotice}`;
    process.stderr.write(`\n*** ${reason} ***\n\n`);
    return { redis: undefined, skip: reason };
  }
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 2 });
  return {
    redis: {
      url,
      client,
      close: async () => {
        client.disconnect();
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, "exit");
          child.kill("SIGTERM");
          await exited;
        }
      },
    },
    skip: false,
  };
}

/** Spawns redis-server and resolves once it accepts connections; rejects with ENOENT when it is not installed. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("spawn", () => resolve());
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      probe.disconnect();
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server did not start on port ${port}: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
