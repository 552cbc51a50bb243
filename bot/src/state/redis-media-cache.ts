import type { PreparedImage, PreparedMedia } from "@glance/core";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { MediaCache, MediaKey } from "./media-cache.js";
import { RedisScript } from "./redis-script.js";

/**
 * Stores one value and keeps the cache under its byte cap, least recently written first. KEYS: the
 * value, the index (a sorted set of value keys by write time), the total (bytes), the sizes (a hash).
 * ARGV: the value, its lifetime, its bytes, the cap, now. Values that expired are still counted until
 * they are popped, which they are first, being the oldest. It deletes keys it finds in the index, so it
 * needs one Redis (not Redis Cluster).
 */
const setScript = new RedisScript(`
local previous = redis.call('HGET', KEYS[4], KEYS[1])
if previous then redis.call('DECRBY', KEYS[3], previous) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[5], KEYS[1])
redis.call('HSET', KEYS[4], KEYS[1], ARGV[3])
local total = redis.call('INCRBY', KEYS[3], ARGV[3])
while total > tonumber(ARGV[4]) do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local key = oldest[1]
  redis.call('DEL', key)
  local size = redis.call('HGET', KEYS[4], key)
  redis.call('HDEL', KEYS[4], key)
  if size then total = redis.call('DECRBY', KEYS[3], size) end
end
return total
`);

const base64 = z.string().transform((text) => Buffer.from(text, "base64"));

const imageSchema = z.object({
  kind: z.literal("image"),
  name: z.string(),
  mimeType: z.enum(["image/png", "image/jpeg"]),
  data: base64,
  width: z.number(),
  height: z.number(),
  originalWidth: z.number(),
  originalHeight: z.number(),
  originalFormat: z.string(),
  originalBytes: z.number(),
});

/** The stored form of prepared media: JSON, with every buffer as base64. Read back, it is checked whole. */
const storedMediaSchema = z.discriminatedUnion("kind", [
  imageSchema,
  z.object({
    kind: z.literal("video-file"),
    name: z.string(),
    mimeType: z.string(),
    data: base64,
    width: z.number(),
    height: z.number(),
    frameCount: z.number(),
    frameRate: z.number(),
    durationSeconds: z.number(),
    fps: z.number(),
    originalBytes: z.number(),
  }),
  z.object({
    kind: z.literal("frame-list"),
    name: z.string(),
    frames: z.array(imageSchema),
    fps: z.number(),
    timestampsSeconds: z.array(z.number()),
    durationSeconds: z.number(),
    width: z.number(),
    height: z.number(),
    originalWidth: z.number(),
    originalHeight: z.number(),
    originalBytes: z.number(),
  }),
]);

function storedImage(image: PreparedImage): Record<string, unknown> {
  return { ...image, data: image.data.toString("base64") };
}

function encode(media: PreparedMedia): string {
  switch (media.kind) {
    case "image":
      return JSON.stringify(storedImage(media));
    case "video-file":
      return JSON.stringify({ ...media, data: media.data.toString("base64") });
    case "frame-list":
      return JSON.stringify({ ...media, frames: media.frames.map(storedImage) });
  }
}

function decode(text: string): PreparedMedia | undefined {
  try {
    const parsed = storedMediaSchema.safeParse(JSON.parse(text));
    // Typed as PreparedMedia: a field core adds to prepared media fails to compile here until it is stored too.
    const media: PreparedMedia | undefined = parsed.success ? parsed.data : undefined;
    return media;
  } catch {
    return undefined;
  }
}

/**
 * Prepared media shared by every replica, so a follow-up question answered by another replica reuses
 * the download and decode. Each value is JSON with its buffers in base64, stored with its lifetime;
 * the whole cache stays under `maxBytes` (oldest written go first), and a value above `maxValueBytes`
 * (a long video) is not stored at all: Redis holds the claims, budgets and the job queue too, and
 * BullMQ needs a Redis that never evicts keys by itself (maxmemory-policy noeviction).
 */
export class RedisMediaCache implements MediaCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maxBytes: number;
  readonly #maxValueBytes: number;

  constructor(redis: Redis, prefix: string, options: { maxBytes?: number; maxValueBytes?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#maxValueBytes = Math.min(this.#maxBytes, options.maxValueBytes ?? 16 * 1024 * 1024);
  }

  async get(key: MediaKey): Promise<PreparedMedia | undefined> {
    const text = await this.#redis.get(this.#key(key));
    return text === null ? undefined : decode(text);
  }

  async set(key: MediaKey, media: PreparedMedia, lifetimeMilliseconds: number): Promise<void> {
    const text = encode(media);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#maxValueBytes) return;
    await setScript.run(
      this.#redis,
      [this.#key(key), `${this.#prefix}:media-index`, `${this.#prefix}:media-bytes`, `${this.#prefix}:media-sizes`],
      [text, Math.max(1, Math.ceil(lifetimeMilliseconds)), bytes, this.#maxBytes, Date.now()],
    );
  }

  #key(key: MediaKey): string {
    return `${this.#prefix}:media:${key.model}:${key.longVideo ? "long" : "strict"}:${key.fileId}`;
  }
}
