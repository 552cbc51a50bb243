import { MemoryUpdateThrottle, type UpdateThrottle } from "../guardrails/update-throttle.js";
import { type EventClaims, MemoryEventClaims } from "./event-claims.js";
import { type MediaCache, MemoryMediaCache } from "./media-cache.js";
import { MemoryThreadCache, type ThreadCache } from "./thread-cache.js";
import { MemoryTokenBudgets, type TokenBudgets } from "./token-budgets.js";

/**
 * Everything the bot keeps between events, one interface per use, so a shared backend (several
 * replicas) can replace the in-process default without touching the handlers. Each kind has its own
 * limits: a flood of cached threads can never push out a dedup claim or a budget.
 */
export interface BotState {
  claims: EventClaims;
  budgets: TokenBudgets;
  media: MediaCache;
  threads: ThreadCache;
  /** The workspaces' chat.update budgets (Slack counts them per app and workspace, so replicas must share them). */
  updates: UpdateThrottle;
  /** Called once on shutdown: a file-backed state writes its last changes. */
  close(): Promise<void>;
}

export interface MemoryStateOptions {
  now?: () => number;
  /** The most cached threads kept. Default 50,000. */
  maxThreads?: number;
  /** The most bytes of prepared media kept. Default 256 MB. */
  maxMediaBytes?: number;
  /** chat.update calls per minute and workspace. Default 50 (Slack's Tier 3). */
  chatUpdatesPerMinute?: number;
}

/** The embedded default: state lives in this process and is lost on restart. */
export function createMemoryState(options: MemoryStateOptions = {}): BotState {
  const now = options.now ?? Date.now;
  return {
    claims: new MemoryEventClaims({ now }),
    budgets: new MemoryTokenBudgets({ now }),
    media: new MemoryMediaCache({
      now,
      ...(options.maxMediaBytes === undefined ? {} : { maxBytes: options.maxMediaBytes }),
    }),
    threads: new MemoryThreadCache({
      now,
      ...(options.maxThreads === undefined ? {} : { maxThreads: options.maxThreads }),
    }),
    updates: new MemoryUpdateThrottle({
      now,
      ...(options.chatUpdatesPerMinute === undefined ? {} : { perMinute: options.chatUpdatesPerMinute }),
    }),
    close: async () => {},
  };
}
