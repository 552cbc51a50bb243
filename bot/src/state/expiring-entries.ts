/** A value and the moment (epoch milliseconds) it stops existing. */
export interface ExpiringEntry<Value> {
  value: Value;
  expiresAt: number;
}

/** Live entries by id, as a file-backed state writes them and reads them back. */
export type SavedEntries<Value> = Record<string, ExpiringEntry<Value>>;

/**
 * Values with a lifetime, kept in this process: the core of every in-memory state. An expired entry is
 * never returned; expired entries are also dropped now and then on writes, so state that is never read
 * again (a claim, yesterday's budget) does not pile up. Iteration order is write order, oldest first.
 */
export class ExpiringEntries<Value> {
  readonly #entries = new Map<string, ExpiringEntry<Value>>();
  readonly #now: () => number;
  readonly #onRemove: ((value: Value) => void) | undefined;
  #writesSinceSweep = 0;

  constructor(options: { now: () => number; onRemove?: (value: Value) => void }) {
    this.#now = options.now;
    this.#onRemove = options.onRemove;
  }

  get size(): number {
    return this.#entries.size;
  }

  now(): number {
    return this.#now();
  }

  /** The live entry of `id`; an expired one is dropped. */
  entry(id: string): ExpiringEntry<Value> | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Stores `value` until `expiresAt`, as the newest entry. */
  set(id: string, value: Value, expiresAt: number): void {
    this.delete(id);
    this.#entries.set(id, { value, expiresAt });
    this.#writesSinceSweep += 1;
    if (this.#writesSinceSweep >= 1_000) {
      this.#writesSinceSweep = 0;
      this.#sweep();
    }
  }

  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#onRemove?.(entry.value);
  }

  /** The id of the oldest write, or undefined when empty. */
  oldest(): string | undefined {
    for (const [id] of this.#entries) return id;
    return undefined;
  }

  /** Every live entry, for writing to a file. */
  saved(): SavedEntries<Value> {
    this.#sweep();
    return Object.fromEntries(this.#entries);
  }

  /** Adopts saved entries; those that expired meanwhile are left out. */
  restore(saved: SavedEntries<Value>): void {
    const now = this.#now();
    for (const [id, entry] of Object.entries(saved)) {
      if (entry.expiresAt > now) this.set(id, entry.value, entry.expiresAt);
    }
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.delete(id);
    }
  }
}
