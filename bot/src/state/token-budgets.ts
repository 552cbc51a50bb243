import { ExpiringEntries, type SavedEntries } from "./expiring-entries.js";

/** One budget counter (a user's or a channel's tokens of one day) and its limit. */
export interface BudgetCounter {
  id: string;
  limit: number;
  /** How long the counter lives from its creation: a daily budget starts again once its day is over. */
  lifetimeMilliseconds: number;
}

export type ReserveResult =
  | { reserved: true }
  | {
      reserved: false;
      /** The first counter the tokens did not fit in, and what it had used already. */
      refusedBy: BudgetCounter;
      used: number;
    };

/**
 * Token counters for budgets: a request reserves its estimate up front and later settles to what it
 * really used, or refunds it. Every operation is atomic over all the counters it names, so two
 * concurrent requests can never both fit into the last tokens of a budget. A shared backend runs
 * each operation as one script (Redis: a Lua script over the counters, INCRBY and PEXPIRE NX).
 */
export interface TokenBudgets {
  /** The tokens booked on a counter; 0 when it does not exist (yet, or any more). */
  used(id: string): Promise<number>;
  /** Adds `tokens` to every counter, or to none when any of them would pass its limit. */
  reserve(counters: readonly BudgetCounter[], tokens: number): Promise<ReserveResult>;
  /**
   * Books the difference between the reserved and the actual tokens on every counter, past the limit if
   * it must (the tokens were spent; the next request is the one refused).
   */
  settle(counters: readonly BudgetCounter[], reservedTokens: number, actualTokens: number): Promise<void>;
  /** Gives reserved tokens back (the request cost nothing). */
  refund(counters: readonly BudgetCounter[], reservedTokens: number): Promise<void>;
}

/**
 * Counters kept in this process until their lifetime ends, never evicted early: an evicted counter
 * would reset a budget mid-day. Each method runs without awaiting in between, which makes it atomic
 * within the process.
 */
export class MemoryTokenBudgets implements TokenBudgets {
  readonly #counters: ExpiringEntries<number>;

  constructor(options: { now?: () => number } = {}) {
    this.#counters = new ExpiringEntries({ now: options.now ?? Date.now });
  }

  async used(id: string): Promise<number> {
    return this.#counters.entry(id)?.value ?? 0;
  }

  async reserve(counters: readonly BudgetCounter[], tokens: number): Promise<ReserveResult> {
    if (tokens > 0) {
      for (const counter of counters) {
        const used = this.#counters.entry(counter.id)?.value ?? 0;
        if (used + tokens > counter.limit) return { reserved: false, refusedBy: counter, used };
      }
    }
    this.#add(counters, tokens);
    return { reserved: true };
  }

  async settle(counters: readonly BudgetCounter[], reservedTokens: number, actualTokens: number): Promise<void> {
    this.#add(counters, actualTokens - reservedTokens);
  }

  async refund(counters: readonly BudgetCounter[], reservedTokens: number): Promise<void> {
    this.#add(counters, -reservedTokens);
  }

  saved(): SavedEntries<number> {
    return this.#counters.saved();
  }

  restore(saved: SavedEntries<number>): void {
    this.#counters.restore(saved);
  }

  #add(counters: readonly BudgetCounter[], tokens: number): void {
    if (tokens === 0) return;
    for (const counter of counters) {
      const entry = this.#counters.entry(counter.id);
      if (entry === undefined) {
        // A refund after the counter's day ended has nothing left to give back.
        if (tokens < 0) continue;
        this.#counters.set(counter.id, tokens, this.#counters.now() + counter.lifetimeMilliseconds);
      } else {
        // The counter keeps the lifetime it was created with: a daily budget resets once a day.
        entry.value += tokens;
      }
    }
  }
}
