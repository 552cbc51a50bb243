import { readFile, rename, writeFile } from "node:fs/promises";
import { MemoryStore } from "./memory-store.js";
import type { CounterResult, Store } from "./store.js";

export interface FileStoreOptions {
  path: string;
  now?: () => number;
  /** How often changes are written; default 5,000 ms. Shutdown writes too (`close`). */
  flushIntervalMilliseconds?: number;
}

interface SavedEntry {
  value: unknown;
  expiresAt: number;
}

/**
 * The in-process store, kept in a JSON file so dedup claims and budgets survive a restart (a retried
 * event arriving just after a deploy is still answered once). Operations run in memory, exactly as
 * MemoryStore; the file is rewritten whole at most every flush interval and on close, written to a
 * temporary file first and renamed over the old one, so a crash mid-write leaves the previous file.
 * Entries that expired while the process was down are dropped on load. One process per file: several
 * replicas need the shared backend the store interface leaves room for.
 */
export class FileStore implements Store {
  readonly #path: string;
  readonly #now: () => number;
  readonly #entries = new Map<string, SavedEntry>();
  readonly #memory: MemoryStore;
  #dirty = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: FileStoreOptions) {
    this.#path = options.path;
    this.#now = options.now ?? Date.now;
    this.#memory = new MemoryStore({ now: this.#now });
  }

  /** Loads the file (a missing file is an empty store) and starts the periodic flush. */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(options);
    let saved: Record<string, SavedEntry> = {};
    try {
      saved = JSON.parse(await readFile(options.path, "utf8")) as Record<string, SavedEntry>;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    }
    const now = store.#now();
    for (const [key, entry] of Object.entries(saved)) {
      if (typeof entry?.expiresAt !== "number" || entry.expiresAt <= now) continue;
      store.#entries.set(key, entry);
      await store.#memory.set(key, entry.value, entry.expiresAt - now);
    }
    store.#timer = setInterval(() => void store.flush(), options.flushIntervalMilliseconds ?? 5_000);
    store.#timer.unref();
    return store;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.#memory.get<T>(key);
  }

  async set<T>(key: string, value: T, ttlMilliseconds: number): Promise<void> {
    await this.#memory.set(key, value, ttlMilliseconds);
    this.#record(key, value, this.#now() + ttlMilliseconds);
  }

  async claim(key: string, ttlMilliseconds: number): Promise<boolean> {
    const claimed = await this.#memory.claim(key, ttlMilliseconds);
    if (claimed) this.#record(key, true, this.#now() + ttlMilliseconds);
    return claimed;
  }

  async incrementWithLimit(
    key: string,
    amount: number,
    limit: number,
    ttlMilliseconds: number,
  ): Promise<CounterResult> {
    const result = await this.#memory.incrementWithLimit(key, amount, limit, ttlMilliseconds);
    if (result.allowed) {
      // A counter keeps the expiry it was created with.
      const known = this.#entries.get(key);
      const expiresAt =
        known !== undefined && known.expiresAt > this.#now() ? known.expiresAt : this.#now() + ttlMilliseconds;
      this.#record(key, result.total, expiresAt);
    }
    return result;
  }

  /** Writes pending changes now (atomically: temporary file, then rename). */
  async flush(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const now = this.#now();
      const live: Record<string, SavedEntry> = {};
      for (const [key, entry] of this.#entries) {
        if (entry.expiresAt <= now) this.#entries.delete(key);
        else live[key] = entry;
      }
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(live));
      await rename(temporary, this.#path);
    });
    await this.#writing;
  }

  /** Stops the periodic flush and writes what is pending; call on shutdown. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #record(key: string, value: unknown, expiresAt: number): void {
    // Prepared media are large and cheap to rebuild; keeping them would make every flush slow.
    if (key.startsWith("media:")) return;
    this.#entries.set(key, { value, expiresAt });
    this.#dirty = true;
  }
}
