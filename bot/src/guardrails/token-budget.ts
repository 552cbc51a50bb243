import { ApiError, ConnectionError, formatCount, InputLimitError, MediaError, TimeoutError } from "@glance/core";
import { BotError } from "../bot-error.js";
import type { BudgetCounter, TokenBudgets } from "../state/token-budgets.js";

export interface BudgetLimits {
  userDailyTokens: number;
  channelDailyTokens: number;
}

/** Who pays for a model call: the asking user and the channel it was asked in. */
export interface BudgetPayer {
  userId: string;
  channel: string;
}

/** How a call's result is booked once it returns or fails. */
export interface CallAccounting<Result> {
  /** The tokens the call really used. */
  tokensUsed(result: Result): number;
  /** Whether the user has already seen part of the answer; such a failed call is not refunded. */
  outputShown?(): boolean;
}

/** Slightly more than a day, so the counter of "today" outlives the day it counts. */
const counterLifetimeMilliseconds = 25 * 60 * 60 * 1000;

/** The ids of the user's and the channel's counters for the UTC day of `now`. */
function counterIdsOf(payer: BudgetPayer, now: number): { user: string; channel: string } {
  const day = new Date(now).toISOString().slice(0, 10);
  return { user: `user:${payer.userId}:${day}`, channel: `channel:${payer.channel}:${day}` };
}

/** The tokens the user and the channel have used on the UTC day of `now`. */
export async function tokensUsedToday(
  budgets: TokenBudgets,
  payer: BudgetPayer,
  now: number,
): Promise<{ user: number; channel: number }> {
  const ids = counterIdsOf(payer, now);
  return { user: await budgets.used(ids.user), channel: await budgets.used(ids.channel) };
}

/**
 * Whether a failed model call cost nothing: refused by the service, or no answer ever arrived, or it
 * never went out because preparing its media failed (the budget is reserved from the headers first).
 */
function failedBeforeOutput(error: unknown): boolean {
  return (
    (error instanceof ApiError && error.code !== "content-inspection") ||
    error instanceof ConnectionError ||
    error instanceof TimeoutError ||
    error instanceof MediaError ||
    error instanceof InputLimitError
  );
}

/**
 * The daily token budgets around every model call the bot makes (answers, /ocr, the shortcuts), in one
 * order: `check` refuses at once when the user's or the channel's tokens for today are used up, before
 * anything is downloaded or prepared; `call` reserves the request's estimate on both budgets, makes the
 * call, and settles to the tokens really used, or refunds the reservation when the call failed before
 * any output. A refusal is a BotError("budget") whose message is the reply.
 */
export class RequestBudget {
  readonly #budgets: TokenBudgets;
  readonly #limits: BudgetLimits;
  readonly #payer: BudgetPayer;
  readonly #now: () => number;

  private constructor(options: { budgets: TokenBudgets; limits: BudgetLimits; payer: BudgetPayer; now: () => number }) {
    this.#budgets = options.budgets;
    this.#limits = {
      userDailyTokens: options.limits.userDailyTokens,
      channelDailyTokens: options.limits.channelDailyTokens,
    };
    this.#payer = options.payer;
    this.#now = options.now;
  }

  /** The budget of a request by `payer`; throws the refusal when today's tokens are already used up. */
  static async check(options: {
    budgets: TokenBudgets;
    limits: BudgetLimits;
    payer: BudgetPayer;
    now: () => number;
  }): Promise<RequestBudget> {
    const { budgets, limits, payer } = options;
    const used = await tokensUsedToday(budgets, payer, options.now());
    if (used.user >= limits.userDailyTokens) {
      throw new BotError(
        "budget",
        `You have used all ${formatCount(limits.userDailyTokens)} of your tokens for today. Your budget resets at midnight UTC.`,
      );
    }
    if (used.channel >= limits.channelDailyTokens) {
      throw new BotError(
        "budget",
        `This channel has used all ${formatCount(limits.channelDailyTokens)} of its tokens for today. The budget resets at midnight UTC.`,
      );
    }
    return new RequestBudget(options);
  }

  /** Reserves `estimatedTokens`, runs `call`, then settles or refunds; the call's own failure is rethrown. */
  async call<Result>(
    estimatedTokens: number,
    call: () => Promise<Result>,
    accounting: CallAccounting<Result>,
  ): Promise<Result> {
    const ids = counterIdsOf(this.#payer, this.#now());
    const lifetimeMilliseconds = counterLifetimeMilliseconds;
    const user: BudgetCounter = { id: ids.user, limit: this.#limits.userDailyTokens, lifetimeMilliseconds };
    const channel: BudgetCounter = { id: ids.channel, limit: this.#limits.channelDailyTokens, lifetimeMilliseconds };
    const counters = [user, channel];
    const reservation = await this.#budgets.reserve(counters, estimatedTokens);
    if (!reservation.reserved) {
      const amount = formatCount(estimatedTokens);
      throw new BotError(
        "budget",
        reservation.refusedBy.id === user.id
          ? `You have used ${formatCount(reservation.used)} of your ${formatCount(user.limit)} tokens for today, ` +
              `and this request needs about ${amount}. Your budget resets at midnight UTC.`
          : `This channel has used ${formatCount(reservation.used)} of its ${formatCount(channel.limit)} tokens for today, ` +
              `and this request needs about ${amount}. The budget resets at midnight UTC.`,
      );
    }
    let result: Result;
    try {
      result = await call();
    } catch (error) {
      // A refused request, or one whose connection failed before any answer arrived, cost nothing.
      if (failedBeforeOutput(error) && !(accounting.outputShown?.() ?? false)) {
        await this.#budgets.refund(counters, estimatedTokens);
      }
      throw error;
    }
    await this.#budgets.settle(counters, estimatedTokens, accounting.tokensUsed(result));
    return result;
  }
}
