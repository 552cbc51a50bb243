import type { CounterResult, Store } from "./store.js";

interface Entry {
  value: unknown;
  expiresAt: number;
  /** Only for byte-capped entries: their estimated size. */
  bytes: number;
}

export interface MemoryStoreOptions {
  now?: () => number;
  /** The most cached values (threads and the like) kept; the oldest are dropped first. */
  maxEntries?: number;
  /** Values under these key prefixes (prepared media) are capped by total bytes instead, least recently used first. */
  byteCappedPrefixes?: readonly string[];
  /** The byte cap for those values. Default 256 MB. */
  maxCachedBytes?: number;
}

/**
 * The embedded default: state lives in this process and is lost on restart. Three kinds of state, each
 * with its own limit, so one kind can never push out another:
 *
 * - claims (dedup) and counters (budgets) are kept until their lifetime ends, never evicted early: an
 *   evicted claim would answer an event twice, an evicted counter would reset a budget mid-day. They are
 *   small, and their number is bounded by the event rate times their lifetime.
 * - byte-capped values (prepared media, megabytes each) are evicted least recently used past a byte cap.
 * - other cached values are evicted oldest first past an entry count.
 */
export class MemoryStore implements Store {
  readonly #kept = new Map<string, Entry>();
  readonly #media = new Map<string, Entry>();
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #byteCappedPrefixes: readonly string[];
  readonly #maxCachedBytes: number;
  #mediaBytes = 0;
  #writesSinceSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#byteCappedPrefixes = options.byteCappedPrefixes ?? ["media:"];
    this.#maxCachedBytes = options.maxCachedBytes ?? 256 * 1024 * 1024;
  }

  /** The estimated bytes of byte-capped values held now (for tests and monitoring). */
  get cachedBytes(): number {
    return this.#mediaBytes;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const media = this.#live(this.#media, key);
    if (media !== undefined) {
      // Least recently used: a read moves the entry to the end of the eviction order.
      this.#media.delete(key);
      this.#media.set(key, media);
      return media.value as T;
    }
    return (this.#live(this.#kept, key) ?? this.#live(this.#entries, key))?.value as T | undefined;
  }

  async set<T>(key: string, value: T, ttlMilliseconds: number): Promise<void> {
    const expiresAt = this.#now() + ttlMilliseconds;
    if (this.#byteCappedPrefixes.some((prefix) => key.startsWith(prefix))) {
      this.#remove(this.#media, key);
      const bytes = estimateBytes(value);
      if (bytes > this.#maxCachedBytes) return;
      this.#media.set(key, { value, expiresAt, bytes });
      this.#mediaBytes += bytes;
      for (const [oldestKey] of this.#media) {
        if (this.#mediaBytes <= this.#maxCachedBytes) break;
        this.#remove(this.#media, oldestKey);
      }
      return;
    }
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt, bytes: 0 });
    for (const [oldestKey] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldestKey);
    }
  }

  async claim(key: string, ttlMilliseconds: number): Promise<boolean> {
    if (this.#keptEntry(key) !== undefined) {
      return false;
    }
    this.#keep(key, true, ttlMilliseconds);
    return true;
  }

  async incrementWithLimit(
    key: string,
    amount: number,
    limit: number,
    ttlMilliseconds: number,
  ): Promise<CounterResult> {
    const entry = this.#keptEntry(key);
    const current = typeof entry?.value === "number" ? entry.value : 0;
    const next = current + amount;
    if (amount > 0 && next > limit) {
      return { allowed: false, total: current };
    }
    if (entry === undefined) {
      this.#keep(key, next, ttlMilliseconds);
    } else {
      // The counter keeps the lifetime it was created with: a daily budget resets once a day.
      entry.value = next;
    }
    return { allowed: true, total: next };
  }

  /** A claim or counter; one restored with set() (a file store loading its state) is adopted first. */
  #keptEntry(key: string): Entry | undefined {
    const kept = this.#live(this.#kept, key);
    if (kept !== undefined) return kept;
    const restored = this.#live(this.#entries, key);
    if (restored === undefined) return undefined;
    this.#entries.delete(key);
    this.#kept.set(key, restored);
    return restored;
  }

  #keep(key: string, value: unknown, ttlMilliseconds: number): void {
    this.#kept.set(key, { value, expiresAt: this.#now() + ttlMilliseconds, bytes: 0 });
    // Expired claims and counters are dropped now and then, so their number stays bounded.
    this.#writesSinceSweep += 1;
    if (this.#writesSinceSweep >= 1_000) {
      this.#writesSinceSweep = 0;
      const now = this.#now();
      for (const [candidate, entry] of this.#kept) {
        if (entry.expiresAt <= now) this.#kept.delete(candidate);
      }
    }
  }

  #live(map: Map<string, Entry>, key: string): Entry | undefined {
    const entry = map.get(key);
    if (entry === undefined) {
      return undefined;
    }
    if (entry.expiresAt <= this.#now()) {
      this.#remove(map, key);
      return undefined;
    }
    return entry;
  }

  #remove(map: Map<string, Entry>, key: string): void {
    const entry = map.get(key);
    if (entry === undefined) return;
    map.delete(key);
    if (map === this.#media) this.#mediaBytes -= entry.bytes;
  }
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
