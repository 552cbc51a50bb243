import type { ThreadMessage } from "../thread-history.js";
import { ExpiringEntries, type SavedEntries } from "./expiring-entries.js";

export interface ThreadKey {
  channel: string;
  threadTs: string;
}

/**
 * The messages of threads the bot answered in, so a follow-up does not read the whole thread again
 * (Slack rate-limits conversations.replies hard for some apps). Only a cache: a thread that is gone is
 * read from Slack again. A shared backend stores each thread as one value with a lifetime (Redis: SET
 * key value PX lifetime).
 */
export interface ThreadCache {
  get(thread: ThreadKey): Promise<ThreadMessage[] | undefined>;
  set(thread: ThreadKey, messages: readonly ThreadMessage[], lifetimeMilliseconds: number): Promise<void>;
}

/** Threads in this process; past `maxThreads` the least recently written go first. */
export class MemoryThreadCache implements ThreadCache {
  readonly #threads: ExpiringEntries<ThreadMessage[]>;
  readonly #maxThreads: number;

  constructor(options: { now?: () => number; maxThreads?: number } = {}) {
    this.#threads = new ExpiringEntries({ now: options.now ?? Date.now });
    this.#maxThreads = options.maxThreads ?? 50_000;
  }

  async get(thread: ThreadKey): Promise<ThreadMessage[] | undefined> {
    return this.#threads.entry(idOf(thread))?.value;
  }

  async set(thread: ThreadKey, messages: readonly ThreadMessage[], lifetimeMilliseconds: number): Promise<void> {
    this.#threads.set(idOf(thread), [...messages], this.#threads.now() + lifetimeMilliseconds);
    while (this.#threads.size > this.#maxThreads) {
      const oldest = this.#threads.oldest();
      if (oldest === undefined) break;
      this.#threads.delete(oldest);
    }
  }

  saved(): SavedEntries<ThreadMessage[]> {
    return this.#threads.saved();
  }

  restore(saved: SavedEntries<ThreadMessage[]>): void {
    this.#threads.restore(saved);
  }
}

function idOf(thread: ThreadKey): string {
  return `${thread.channel}:${thread.threadTs}`;
}
