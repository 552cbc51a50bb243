import type { Redis } from "ioredis";
import { RedisScript } from "./redis-script.js";
import type { BudgetCounter, ReserveResult, TokenBudgets } from "./token-budgets.js";

/**
 * Adds a delta to a counter: a missing counter is created with its lifetime (a daily budget starts again
 * once its day is over), an existing one keeps the lifetime it was created with (INCRBY keeps the TTL),
 * and a refund to a counter that no longer exists gives nothing back.
 */
const addFunction = `
local function add(key, delta, lifetime)
  if delta == 0 then return end
  if redis.call('EXISTS', key) == 0 then
    if delta < 0 then return end
    redis.call('SET', key, delta, 'PX', lifetime)
  else
    redis.call('INCRBY', key, delta)
  end
end
`;

/** KEYS: the counters. ARGV: tokens, then each counter's limit and lifetime. Returns {refused index or 0, used}. */
const reserveScript = new RedisScript(`${addFunction}
local tokens = tonumber(ARGV[1])
if tokens > 0 then
  for index, key in ipairs(KEYS) do
    local used = tonumber(redis.call('GET', key) or '0')
    if used + tokens > tonumber(ARGV[index * 2]) then return {index, used} end
  end
end
for index, key in ipairs(KEYS) do add(key, tokens, tonumber(ARGV[index * 2 + 1])) end
return {0, 0}
`);

/** KEYS: the counters. ARGV: the delta, then each counter's lifetime. */
const addScript = new RedisScript(`${addFunction}
local delta = tonumber(ARGV[1])
for index, key in ipairs(KEYS) do add(key, delta, tonumber(ARGV[index + 1])) end
return 0
`);

/**
 * Budgets shared by every replica. Each operation is one Lua script over all the counters it names, so
 * two replicas can never both fit a request into the last tokens of a user's or a channel's day: the
 * same answers are refused as on a single process.
 */
export class RedisTokenBudgets implements TokenBudgets {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async used(id: string): Promise<number> {
    return Number((await this.#redis.get(this.#key(id))) ?? 0);
  }

  async reserve(counters: readonly BudgetCounter[], tokens: number): Promise<ReserveResult> {
    const values: number[] = [whole(tokens)];
    for (const counter of counters) values.push(counter.limit, lifetimeOf(counter));
    const result = await reserveScript.run(
      this.#redis,
      counters.map((counter) => this.#key(counter.id)),
      values,
    );
    const [refusedIndex, used] = Array.isArray(result) ? result.map(Number) : [Number.NaN, 0];
    if (refusedIndex === 0) return { reserved: true };
    const refusedBy = counters[(refusedIndex ?? 0) - 1];
    if (refusedBy === undefined) throw new Error(`The budget script answered ${JSON.stringify(result)}.`);
    return { reserved: false, refusedBy, used: used ?? 0 };
  }

  async settle(counters: readonly BudgetCounter[], reservedTokens: number, actualTokens: number): Promise<void> {
    await this.#add(counters, whole(actualTokens) - whole(reservedTokens));
  }

  async refund(counters: readonly BudgetCounter[], reservedTokens: number): Promise<void> {
    await this.#add(counters, -whole(reservedTokens));
  }

  async #add(counters: readonly BudgetCounter[], delta: number): Promise<void> {
    if (delta === 0 || counters.length === 0) return;
    await addScript.run(
      this.#redis,
      counters.map((counter) => this.#key(counter.id)),
      [delta, ...counters.map(lifetimeOf)],
    );
  }

  #key(id: string): string {
    return `${this.#prefix}:budget:${id}`;
  }
}

/** INCRBY takes whole numbers; token counts are whole already, estimates are rounded up. */
function whole(tokens: number): number {
  return Math.ceil(tokens);
}

function lifetimeOf(counter: BudgetCounter): number {
  return Math.max(1, Math.ceil(counter.lifetimeMilliseconds));
}
