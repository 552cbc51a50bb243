import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { ThreadMessage } from "../thread-history.js";
import type { BotState } from "./bot-state.js";
import { type EventClaims, MemoryEventClaims } from "./event-claims.js";
import type { SavedEntries } from "./expiring-entries.js";
import { type MediaCache, MemoryMediaCache } from "./media-cache.js";
import { MemoryThreadCache, type ThreadCache } from "./thread-cache.js";
import { MemoryTokenBudgets, type TokenBudgets } from "./token-budgets.js";

export interface FileStateOptions {
  path: string;
  now?: () => number;
  /** How often changes are written; default 5,000 ms. Shutdown writes too (`close`). */
  flushIntervalMilliseconds?: number;
  maxThreads?: number;
  maxMediaBytes?: number;
}

const entriesOf = <Value extends z.ZodType>(value: Value) =>
  z.record(z.string(), z.object({ value, expiresAt: z.number() }));

/** The file's layout: one section per kind of state. */
const savedStateSchema = z.object({
  version: z.literal(2),
  claims: entriesOf(z.literal(true)),
  budgets: entriesOf(z.number()),
  // Written by this class from messages Slack sent; only their shape as a list is checked again.
  threads: entriesOf(z.custom<ThreadMessage[]>((value) => Array.isArray(value))),
});

type SavedState = z.infer<typeof savedStateSchema>;

/**
 * Files written before the state was split into kinds: one flat map of prefixed keys. Claims and
 * budgets are carried over (a deploy must not answer a retried event twice or reset budgets); cached
 * threads are dropped, they are read from Slack again.
 */
const legacyStateSchema = entriesOf(z.unknown());

/**
 * The bot's state kept in a JSON file, so dedup claims, budgets and cached threads survive a restart
 * (a retried event arriving just after a deploy is still answered once). Operations run in memory,
 * exactly as the in-process state; the file is rewritten whole at most every flush interval and on
 * close, written to a temporary file first and renamed over the old one, so a crash mid-write leaves
 * the previous file. Entries that expired while the process was down are dropped on load. Prepared
 * media stay in memory only: they are large and cheap to rebuild, and would make every flush slow. One
 * process per file: several replicas need a shared backend behind the same interfaces.
 */
export class FileState implements BotState {
  readonly claims: EventClaims;
  readonly budgets: TokenBudgets;
  readonly media: MediaCache;
  readonly threads: ThreadCache;
  readonly #path: string;
  readonly #memoryClaims: MemoryEventClaims;
  readonly #memoryBudgets: MemoryTokenBudgets;
  readonly #memoryThreads: MemoryThreadCache;
  #dirty = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: FileStateOptions) {
    const now = options.now ?? Date.now;
    this.#path = options.path;
    const claims = new MemoryEventClaims({ now });
    const budgets = new MemoryTokenBudgets({ now });
    const threads = new MemoryThreadCache({
      now,
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads }),
    });
    this.#memoryClaims = claims;
    this.#memoryBudgets = budgets;
    this.#memoryThreads = threads;
    this.claims = {
      claim: async (id, lifetimeMilliseconds) => {
        const claimed = await claims.claim(id, lifetimeMilliseconds);
        if (claimed) this.#changed();
        return claimed;
      },
    };
    this.budgets = {
      used: (id) => budgets.used(id),
      reserve: async (counters, tokens) => {
        const result = await budgets.reserve(counters, tokens);
        if (result.reserved) this.#changed();
        return result;
      },
      settle: async (counters, reservedTokens, actualTokens) => {
        await budgets.settle(counters, reservedTokens, actualTokens);
        this.#changed();
      },
      refund: async (counters, reservedTokens) => {
        await budgets.refund(counters, reservedTokens);
        this.#changed();
      },
    };
    this.threads = {
      get: (thread) => threads.get(thread),
      set: async (thread, messages, lifetimeMilliseconds) => {
        await threads.set(thread, messages, lifetimeMilliseconds);
        this.#changed();
      },
    };
    this.media = new MemoryMediaCache({
      now,
      ...(options.maxMediaBytes === undefined ? {} : { maxBytes: options.maxMediaBytes }),
    });
  }

  /** Loads the file (a missing file is an empty state) and starts the periodic flush. */
  static async open(options: FileStateOptions): Promise<FileState> {
    const state = new FileState(options);
    const saved = await readSavedState(options.path);
    state.#memoryClaims.restore(saved.claims);
    state.#memoryBudgets.restore(saved.budgets);
    state.#memoryThreads.restore(saved.threads);
    state.#timer = setInterval(() => void state.flush(), options.flushIntervalMilliseconds ?? 5_000);
    state.#timer.unref();
    return state;
  }

  /** Writes pending changes now (atomically: temporary file, then rename). */
  async flush(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const saved: SavedState = {
        version: 2,
        claims: this.#memoryClaims.saved(),
        budgets: this.#memoryBudgets.saved(),
        threads: this.#memoryThreads.saved(),
      };
      const temporary = `${this.#path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify(saved));
      await rename(temporary, this.#path);
    });
    await this.#writing;
  }

  /** Stops the periodic flush and writes what is pending; call on shutdown. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #changed(): void {
    this.#dirty = true;
  }
}

async function readSavedState(path: string): Promise<SavedState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return { version: 2, claims: {}, budgets: {}, threads: {} };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const current = savedStateSchema.safeParse(json);
  if (current.success) return current.data;
  const legacy = legacyStateSchema.safeParse(json);
  if (legacy.success) return fromLegacy(legacy.data);
  throw new Error(
    `GLANCE_STORE_FILE ${path} is not a state file this version can read. Move it away to start with empty state.`,
  );
}

function fromLegacy(saved: SavedEntries<unknown>): SavedState {
  const state: SavedState = { version: 2, claims: {}, budgets: {}, threads: {} };
  for (const [key, entry] of Object.entries(saved)) {
    if (key.startsWith("event:") || key.startsWith("message:")) {
      state.claims[key] = { value: true, expiresAt: entry.expiresAt };
    } else if (key.startsWith("budget:") && typeof entry.value === "number") {
      state.budgets[key.slice("budget:".length)] = { value: entry.value, expiresAt: entry.expiresAt };
    }
  }
  return state;
}
