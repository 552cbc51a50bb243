import { open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { MemoryUpdateThrottle, type UpdateThrottle } from "../guardrails/update-throttle.js";
import type { ThreadMessage } from "../thread-history.js";
import type { BotState } from "./bot-state.js";
import { type EventClaims, MemoryEventClaims } from "./event-claims.js";
import type { SavedEntries } from "./expiring-entries.js";
import { type MediaCache, MemoryMediaCache } from "./media-cache.js";
import { MemoryThreadCache, type ThreadCache } from "./thread-cache.js";
import { MemoryTokenBudgets, type TokenBudgets } from "./token-budgets.js";

/** Where the file state reports a failed write, a retry that worked, and a file it moved aside. */
export interface FileStateLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface FileStateOptions {
  path: string;
  now?: () => number;
  /** How often changes are written; default 5,000 ms. Shutdown writes too (`close`). */
  flushIntervalMilliseconds?: number;
  maxThreads?: number;
  maxMediaBytes?: number;
  /** chat.update calls per minute and workspace. Default 50. */
  chatUpdatesPerMinute?: number;
  /** Default: one line per message on stderr. */
  logger?: FileStateLogger;
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
 * close. Crash-safe: each write goes to a temporary file (mode 0600: it names users and channels), is
 * fsynced, and is renamed over the old one, and the folder is fsynced, so a crash or power loss at any
 * moment leaves either the previous file or the new one. A failed write (disk full, a permission
 * changed) is logged and retried at the next interval; the state stays in memory meanwhile, and no
 * failure ever escapes as an unhandled rejection. A file this version cannot read is moved aside and
 * the bot starts empty. Entries that expired while the process was down are dropped on load. Prepared
 * media stay in memory only: they are large and cheap to rebuild, and would make every flush slow. One
 * process per file: several replicas share a Redis instead (GLANCE_REDIS_URL, state/redis-state.ts).
 */
export class FileState implements BotState {
  readonly claims: EventClaims;
  readonly budgets: TokenBudgets;
  readonly media: MediaCache;
  readonly threads: ThreadCache;
  readonly updates: UpdateThrottle;
  readonly #path: string;
  readonly #logger: FileStateLogger;
  readonly #flushIntervalMilliseconds: number;
  readonly #memoryClaims: MemoryEventClaims;
  readonly #memoryBudgets: MemoryTokenBudgets;
  readonly #memoryThreads: MemoryThreadCache;
  #dirty = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<boolean> = Promise.resolve(true);
  /** When the last failure was logged (while writes keep failing), so a full disk is not logged every 5 s. */
  #failureLoggedAt: number | undefined;

  private constructor(options: FileStateOptions) {
    const now = options.now ?? Date.now;
    this.#path = options.path;
    this.#logger = options.logger ?? stderrLogger;
    this.#flushIntervalMilliseconds = options.flushIntervalMilliseconds ?? 5_000;
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
    // Edits are rate-limited per minute: nothing worth keeping across a restart.
    this.updates = new MemoryUpdateThrottle({
      now,
      ...(options.chatUpdatesPerMinute === undefined ? {} : { perMinute: options.chatUpdatesPerMinute }),
    });
  }

  /**
   * Loads the file (a missing file is an empty state; one this version cannot read is moved aside),
   * writes it once, so a path the bot cannot write fails at start-up rather than at the first flush,
   * and starts the periodic flush.
   */
  static async open(options: FileStateOptions): Promise<FileState> {
    const state = new FileState(options);
    const saved = await readSavedState(options.path, state.#logger);
    state.#memoryClaims.restore(saved.claims);
    state.#memoryBudgets.restore(saved.budgets);
    state.#memoryThreads.restore(saved.threads);
    try {
      await writeAtomically(options.path, JSON.stringify(state.#saved()));
    } catch (error) {
      throw new Error(
        `GLANCE_STORE_FILE ${options.path} cannot be written (${reasonOf(error)}): give the bot write access to it and its folder, or point GLANCE_STORE_FILE elsewhere.`,
      );
    }
    state.#timer = setInterval(() => void state.flush(), state.#flushIntervalMilliseconds);
    state.#timer.unref();
    return state;
  }

  /**
   * Writes pending changes now. Never rejects: a failed write is logged, the changes stay pending, and
   * the next flush tries again. Resolves true when nothing is left unwritten.
   */
  async flush(): Promise<boolean> {
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return true;
      this.#dirty = false;
      try {
        await writeAtomically(this.#path, JSON.stringify(this.#saved()));
      } catch (error) {
        this.#dirty = true;
        const now = Date.now();
        if (this.#failureLoggedAt === undefined || now - this.#failureLoggedAt >= 60_000) {
          this.#failureLoggedAt = now;
          this.#logger.warn(
            `Could not write the state file ${this.#path} (${reasonOf(error)}); the state is kept in memory and ` +
              `the write is tried again every ${this.#flushIntervalMilliseconds / 1000} s. Free disk space or fix the file's permissions.`,
          );
        }
        return false;
      }
      if (this.#failureLoggedAt !== undefined) {
        this.#failureLoggedAt = undefined;
        this.#logger.info(`The state file ${this.#path} is written again.`);
      }
      return true;
    });
    return this.#writing;
  }

  /** Stops the periodic flush and writes what is pending (trying a few times); call on shutdown. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      if (await this.flush()) return;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    this.#logger.error(
      `The state file ${this.#path} could not be written on shutdown: the changes since its last write are lost.`,
    );
  }

  #saved(): SavedState {
    return {
      version: 2,
      claims: this.#memoryClaims.saved(),
      budgets: this.#memoryBudgets.saved(),
      threads: this.#memoryThreads.saved(),
    };
  }

  #changed(): void {
    this.#dirty = true;
  }
}

const stderrLogger: FileStateLogger = {
  info: (message) => process.stderr.write(`[info] ${message}\n`),
  warn: (message) => process.stderr.write(`[warn] ${message}\n`),
  error: (message) => process.stderr.write(`[error] ${message}\n`),
};

/**
 * Replaces `path` with `text` so that a crash at any point leaves the old file or the new one, never a
 * mix: a temporary file beside it (same file system, so the rename is atomic), written and fsynced,
 * then renamed over `path`, then the folder fsynced so the rename itself survives a power loss.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(temporary, "w", 0o600);
    try {
      // A temporary file left by a crash keeps its old mode on reopening: set it again.
      await file.chmod(0o600);
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  try {
    const folder = await open(dirname(path), "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch {
    // Some platforms and file systems cannot fsync a folder; the rename has happened all the same.
  }
}

async function readSavedState(path: string, logger: FileStateLogger): Promise<SavedState> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return emptyState();
    throw new Error(
      `GLANCE_STORE_FILE ${path} cannot be read (${reasonOf(error)}): give the bot read and write access to it, or point GLANCE_STORE_FILE elsewhere.`,
    );
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
  // Damaged (a disk error, an edit by hand) or written by another program: keep it for a person to
  // look at, and start empty rather than refuse to start. Budgets and dedup restart from zero.
  const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    throw new Error(
      `GLANCE_STORE_FILE ${path} is not a state file this version can read, and moving it aside failed (${reasonOf(error)}): move it away to start with empty state.`,
    );
  }
  logger.warn(
    `GLANCE_STORE_FILE ${path} is not a state file this version can read: moved it to ${aside} and started with empty state.`,
  );
  return emptyState();
}

function emptyState(): SavedState {
  return { version: 2, claims: {}, budgets: {}, threads: {} };
}

/** The error's code and message in a few words, for a one-line log. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.startsWith(code) ? `${code}: ${message}` : message;
}

function fromLegacy(saved: SavedEntries<unknown>): SavedState {
  const state = emptyState();
  for (const [key, entry] of Object.entries(saved)) {
    if (key.startsWith("event:") || key.startsWith("message:")) {
      state.claims[key] = { value: true, expiresAt: entry.expiresAt };
    } else if (key.startsWith("budget:") && typeof entry.value === "number") {
      state.budgets[key.slice("budget:".length)] = { value: entry.value, expiresAt: entry.expiresAt };
    }
  }
  return state;
}
