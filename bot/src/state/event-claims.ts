import { ExpiringEntries, type SavedEntries } from "./expiring-entries.js";

/**
 * Who handles an event first. Slack retries an event it thinks was lost and may deliver one message
 * under two subscriptions; the first claim of an id wins and every later one is refused. A shared
 * backend implements `claim` as one atomic set-if-absent with a lifetime (Redis: SET id 1 NX PX lifetime).
 */
export interface EventClaims {
  /** True for the first caller of `id` within `lifetimeMilliseconds`, false for everyone after; atomic. */
  claim(id: string, lifetimeMilliseconds: number): Promise<boolean>;
}

/**
 * Claims kept in this process until their lifetime ends, never evicted early: an evicted claim would
 * answer an event twice. They are small, and their number is bounded by the event rate times their
 * lifetime.
 */
export class MemoryEventClaims implements EventClaims {
  readonly #claims: ExpiringEntries<true>;

  constructor(options: { now?: () => number } = {}) {
    this.#claims = new ExpiringEntries({ now: options.now ?? Date.now });
  }

  async claim(id: string, lifetimeMilliseconds: number): Promise<boolean> {
    if (this.#claims.entry(id) !== undefined) return false;
    this.#claims.set(id, true, this.#claims.now() + lifetimeMilliseconds);
    return true;
  }

  saved(): SavedEntries<true> {
    return this.#claims.saved();
  }

  restore(saved: SavedEntries<true>): void {
    this.#claims.restore(saved);
  }
}
