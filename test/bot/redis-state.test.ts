/*
 * The bot's state on a real Redis (GLANCE_REDIS_URL), as several replicas share it: each RedisState
 * below is its own connection, as each replica's is. Atomicity is checked the way it matters: two
 * "replicas" racing for the same claim, the last tokens of a budget, or a workspace's chat.update budget.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PreparedFrameList, PreparedImage } from "@glance/core";
import { RedisState } from "../../bot/src/state/redis-state.js";
import type { ThreadMessage } from "../../bot/src/thread-history.js";
import { freePort, startTestRedis, uniquePrefix } from "../support/redis-server.js";

const started = await startTestRedis("redis-state.test.ts");
const silent = { info: () => {}, warn: () => {} };

function preparedImage(name: string, bytes: number, fill = 7): PreparedImage {
  return {
    kind: "image",
    name,
    mimeType: "image/png",
    data: Buffer.alloc(bytes, fill),
    width: 64,
    height: 32,
    originalWidth: 128,
    originalHeight: 64,
    originalFormat: "png",
    originalBytes: bytes * 2,
  };
}

const counter = (id: string, limit: number, lifetimeMilliseconds = 60_000) => ({ id, limit, lifetimeMilliseconds });
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("the Redis state shared by replicas (GLANCE_REDIS_URL)", { skip: started.skip }, () => {
  const redis = started.redis;
  const opened: RedisState[] = [];
  async function replica(
    prefix: string,
    options: { chatUpdatesPerMinute?: number; maxMediaBytes?: number } = {},
  ): Promise<RedisState> {
    if (redis === undefined) throw new Error("No Redis.");
    const state = await RedisState.open({ url: redis.url, prefix, logger: silent, ...options });
    opened.push(state);
    return state;
  }
  before(async () => {
    await redis?.client.ping();
  });
  after(async () => {
    await Promise.all(opened.map((state) => state.close()));
    await redis?.close();
  });

  it("gives a claim to exactly one of many racing replicas, and frees it when its lifetime ends", async () => {
    const prefix = uniquePrefix("claims");
    const [first, second] = await Promise.all([replica(prefix), replica(prefix)]);
    if (first === undefined || second === undefined) throw new Error("No replicas.");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? first : second).claims.claim("event:Ev1", 300)),
    );
    assert.equal(results.filter(Boolean).length, 1, "one winner among 20 concurrent claims");
    assert.equal(await second.claims.claim("message:C1:1.1", 60_000), true, "another id is its own claim");
    await sleep(400);
    assert.equal(await first.claims.claim("event:Ev1", 300), true, "claimable again after its lifetime");
  });

  it("never lets racing replicas spend more than a budget, and settles and refunds like the in-process budgets", async () => {
    const prefix = uniquePrefix("budgets");
    const [first, second] = await Promise.all([replica(prefix), replica(prefix)]);
    if (first === undefined || second === undefined) throw new Error("No replicas.");
    const user = counter("user:U1:2026-11-30", 1_000);
    const channel = counter("channel:C1:2026-11-30", 10_000);
    // 30 requests of 100 tokens race for a budget of 1,000: exactly 10 fit, whichever replica asks.
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 === 0 ? first : second).budgets.reserve([user, channel], 100),
      ),
    );
    assert.equal(results.filter((result) => result.reserved).length, 10);
    assert.equal(await first.budgets.used(user.id), 1_000);
    assert.equal(await second.budgets.used(channel.id), 1_000, "both counters moved together");
    const refused = results.find((result) => !result.reserved);
    assert.deepEqual(refused, { reserved: false, refusedBy: user, used: 1_000 });

    // Settling books the real cost, past the limit if it must; refunding gives the estimate back.
    await first.budgets.settle([user, channel], 100, 250);
    assert.equal(await second.budgets.used(user.id), 1_150);
    await second.budgets.refund([user, channel], 400);
    assert.equal(await first.budgets.used(user.id), 750);
    assert.equal(await first.budgets.used(channel.id), 750);

    // A counter keeps the lifetime it was created with: adding to it does not extend its day.
    const short = counter("user:U2:day", 1_000, 300);
    assert.deepEqual(await first.budgets.reserve([short], 10), { reserved: true });
    await sleep(150);
    await second.budgets.settle([short], 10, 20);
    await sleep(250);
    assert.equal(await first.budgets.used(short.id), 0, "the counter ended with its first lifetime");
    // A refund after the counter's day ended has nothing to give back: no negative counter appears.
    await first.budgets.refund([short], 10);
    assert.equal(await first.budgets.used(short.id), 0);
    assert.deepEqual(await first.budgets.reserve([short], 1_000), { reserved: true });
  });

  it("shares cached threads and prepared media between replicas, with their lifetimes", async () => {
    const prefix = uniquePrefix("caches");
    const [first, second] = await Promise.all([replica(prefix), replica(prefix)]);
    if (first === undefined || second === undefined) throw new Error("No replicas.");
    const messages: ThreadMessage[] = [
      { ts: "1.1", fromBot: false, text: "what is this?", files: [{ id: "F1", name: "a.png", mimetype: "image/png" }] },
      { ts: "1.2", fromBot: true, text: "A chart.", files: [] },
    ];
    await first.threads.set({ channel: "C1", threadTs: "1.1" }, messages, 300);
    assert.deepEqual(await second.threads.get({ channel: "C1", threadTs: "1.1" }), messages);

    const image = preparedImage("a.png", 2_000);
    const video: PreparedFrameList = {
      kind: "frame-list",
      name: "clip.mp4",
      frames: [preparedImage("frame 1", 500, 1), preparedImage("frame 2", 500, 2)],
      fps: 2,
      timestampsSeconds: [0, 0.5],
      durationSeconds: 1,
      width: 64,
      height: 32,
      originalWidth: 640,
      originalHeight: 320,
      originalBytes: 90_000,
    };
    const imageKey = { fileId: "F1", model: "qwen3.5-plus", longVideo: false };
    const videoKey = { fileId: "F2", model: "qwen3.5-plus", longVideo: true };
    await first.media.set(imageKey, image, 300);
    await first.media.set(videoKey, video, 60_000);
    const readImage = await second.media.get(imageKey);
    assert.deepEqual(readImage, image, "the same media, buffers included");
    assert.ok(readImage?.kind === "image" && Buffer.isBuffer(readImage.data), "buffers come back as Buffers");
    assert.deepEqual(await second.media.get(videoKey), video);
    assert.equal(await second.media.get({ ...videoKey, longVideo: false }), undefined, "another preparation");

    await sleep(400);
    assert.equal(await second.threads.get({ channel: "C1", threadTs: "1.1" }), undefined, "the thread expired");
    assert.equal(await second.media.get(imageKey), undefined, "the image expired");
  });

  it("treats a damaged cache value as missing", async () => {
    const prefix = uniquePrefix("damaged");
    const state = await replica(prefix);
    await redis?.client.set(`${prefix}:thread:C1:1.1`, "{ not json");
    await redis?.client.set(`${prefix}:media:qwen3.5-plus:strict:F1`, JSON.stringify({ kind: "image", name: 3 }));
    assert.equal(await state.threads.get({ channel: "C1", threadTs: "1.1" }), undefined);
    assert.equal(await state.media.get({ fileId: "F1", model: "qwen3.5-plus", longVideo: false }), undefined);
  });

  it("keeps cached media under its byte cap, oldest first, and never stores a value above it", async () => {
    const prefix = uniquePrefix("media-cap");
    // Each image below is about 4 KB as stored (base64 JSON): three fit in 13 KB, four do not.
    const state = await replica(prefix, { maxMediaBytes: 13_000 });
    const key = (index: number) => ({ fileId: `F${index}`, model: "qwen3.5-plus", longVideo: false });
    for (let index = 0; index < 6; index += 1) {
      await state.media.set(key(index), preparedImage(`${index}.png`, 3_000), 60_000);
    }
    const kept = [];
    for (let index = 0; index < 6; index += 1) kept.push((await state.media.get(key(index))) !== undefined);
    assert.deepEqual(kept, [false, false, false, true, true, true]);
    assert.ok(Number(await redis?.client.get(`${prefix}:media-bytes`)) <= 13_000, "the total stays under the cap");
    await state.media.set(key(9), preparedImage("huge.png", 20_000), 60_000);
    assert.equal(await state.media.get(key(9)), undefined, "a value larger than the cap is not stored");
    assert.ok((await state.media.get(key(5))) !== undefined, "and it pushed nothing out");
  });

  it("shares each workspace's chat.update budget between replicas, on the server's clock", async () => {
    const prefix = uniquePrefix("updates");
    // 60 a minute: a burst of 10, then one a second.
    const [first, second] = await Promise.all([
      replica(prefix, { chatUpdatesPerMinute: 60 }),
      replica(prefix, { chatUpdatesPerMinute: 60 }),
    ]);
    if (first === undefined || second === undefined) throw new Error("No replicas.");
    const taken = await Promise.all(
      Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? first : second).updates.tryTake("T0ALPHA")),
    );
    assert.equal(taken.filter(Boolean).length, 10, "one burst for both replicas together");
    assert.equal(await first.updates.tryTake("T0BETA"), true, "another workspace has its own budget");
    const waitedFrom = Date.now();
    await second.updates.take("T0ALPHA");
    const waited = Date.now() - waitedFrom;
    assert.ok(waited >= 500 && waited < 2_500, `a final edit waits for the next token (waited ${waited} ms)`);
  });

  it("fails in one line, without the password, when Redis cannot be reached", async () => {
    const port = await freePort();
    const url = `redis://:hunter2-password@127.0.0.1:${port}/0`;
    await assert.rejects(RedisState.open({ url, prefix: "glance", logger: silent }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(
        error.message,
        new RegExp(`^GLANCE_REDIS_URL: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/0 `),
      );
      assert.match(error.message, /Start Redis or fix the URL\.$/);
      assert.doesNotMatch(error.message, /hunter2/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });
});
