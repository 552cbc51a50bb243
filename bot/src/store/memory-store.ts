import type { CounterResult, Store } from "./store.js";

interface Entry {
  value: unknown;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  now?: () => number;
  /** The most entries kept; the oldest are dropped first, so a flood of events cannot exhaust memory. */
  maxEntries?: number;
}

/** The embedded default: state lives in this process and is lost on restart. */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 50_000;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.#live(key)?.value as T | undefined;
  }

  async set<T>(key: string, value: T, ttlMilliseconds: number): Promise<void> {
    this.#put(key, value, ttlMilliseconds);
  }

  async claim(key: string, ttlMilliseconds: number): Promise<boolean> {
    if (this.#live(key) !== undefined) {
      return false;
    }
    this.#put(key, true, ttlMilliseconds);
    return true;
  }

  async incrementWithLimit(
    key: string,
    amount: number,
    limit: number,
    ttlMilliseconds: number,
  ): Promise<CounterResult> {
    const entry = this.#live(key);
    const current = typeof entry?.value === "number" ? entry.value : 0;
    const next = current + amount;
    if (amount > 0 && next > limit) {
      return { allowed: false, total: current };
    }
    if (entry === undefined) {
      this.#put(key, next, ttlMilliseconds);
    } else {
      // The counter keeps the lifetime it was created with: a daily budget resets once a day.
      entry.value = next;
    }
    return { allowed: true, total: next };
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      return undefined;
    }
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #put(key: string, value: unknown, ttlMilliseconds: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMilliseconds });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}
