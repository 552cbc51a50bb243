/**
 * The one seam for state: dedup claims, caches and budgets all go through it, so a shared backend
 * (several replicas) can replace the in-process default without touching the handlers. Values must
 * survive a structured clone (plain objects, arrays, strings, numbers, Buffers).
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMilliseconds: number): Promise<void>;
  /** True for the first caller of a key within its lifetime, false for everyone after: atomic. */
  claim(key: string, ttlMilliseconds: number): Promise<boolean>;
  /**
   * Adds `amount` to a counter unless the result would exceed `limit`; atomic. The counter starts at 0
   * and lives `ttlMilliseconds` from its creation. Negative amounts (refunds) are always applied.
   */
  incrementWithLimit(key: string, amount: number, limit: number, ttlMilliseconds: number): Promise<CounterResult>;
}

export interface CounterResult {
  allowed: boolean;
  /** The counter after the call (unchanged when not allowed). */
  total: number;
}
