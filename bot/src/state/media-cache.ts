import type { PreparedMedia } from "@glance/core";
import { ExpiringEntries } from "./expiring-entries.js";

/** Which preparation of which file: the model decides the size, and summaries sample long videos. */
export interface MediaKey {
  fileId: string;
  model: string;
  /** Prepared for a summary, which may sample a video past the model's duration limit. */
  longVideo: boolean;
}

/**
 * Prepared media by file, so follow-up questions in a thread reuse a download and a decode. Only a
 * cache: a value may be gone at any time and is then prepared again. A shared backend stores the
 * media as a serialized value with a lifetime (Redis: SET key value PX lifetime, under maxmemory with
 * an LRU policy).
 */
export interface MediaCache {
  get(key: MediaKey): Promise<PreparedMedia | undefined>;
  set(key: MediaKey, media: PreparedMedia, lifetimeMilliseconds: number): Promise<void>;
}

interface CachedMedia {
  media: PreparedMedia;
  bytes: number;
}

/**
 * Prepared media in this process, capped by their total size (megabytes each): past the cap the least
 * recently used go first, and a single value larger than the cap is not kept at all.
 */
export class MemoryMediaCache implements MediaCache {
  readonly #entries: ExpiringEntries<CachedMedia>;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: { now?: () => number; maxBytes?: number } = {}) {
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#entries = new ExpiringEntries({
      now: options.now ?? Date.now,
      onRemove: (cached) => {
        this.#bytes -= cached.bytes;
      },
    });
  }

  /** The estimated bytes held now (for tests and monitoring). */
  get cachedBytes(): number {
    return this.#bytes;
  }

  async get(key: MediaKey): Promise<PreparedMedia | undefined> {
    const id = idOf(key);
    const entry = this.#entries.entry(id);
    if (entry === undefined) return undefined;
    // Least recently used: a read moves the entry to the end of the eviction order.
    this.#entries.set(id, entry.value, entry.expiresAt);
    this.#bytes += entry.value.bytes;
    return entry.value.media;
  }

  async set(key: MediaKey, media: PreparedMedia, lifetimeMilliseconds: number): Promise<void> {
    const id = idOf(key);
    this.#entries.delete(id);
    const bytes = estimateBytes(media);
    if (bytes > this.#maxBytes) return;
    this.#entries.set(id, { media, bytes }, this.#entries.now() + lifetimeMilliseconds);
    this.#bytes += bytes;
    while (this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.oldest();
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

function idOf(key: MediaKey): string {
  return `${key.model}:${key.longVideo ? "long" : "strict"}:${key.fileId}`;
}

/** A size estimate good enough for a cap: buffers and strings dominate prepared media. */
function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined || depth > 8) return 8;
  if (typeof value === "string") return value.length;
  if (typeof value !== "object") return 8;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  let total = 16;
  if (Array.isArray(value)) {
    for (const item of value) total += estimateBytes(item, depth + 1);
    return total;
  }
  for (const [key, item] of Object.entries(value)) total += key.length + estimateBytes(item, depth + 1);
  return total;
}
