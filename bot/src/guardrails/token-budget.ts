import { ApiError, ConnectionError, formatCount, TimeoutError } from "@glance/core";
import type { Store } from "../store/store.js";

export interface BudgetLimits {
  userDailyTokens: number;
  channelDailyTokens: number;
}

export type BudgetReservation =
  | { allowed: true; settle: (actualTokens: number) => Promise<void> }
  | { allowed: false; message: string };

/** Slightly more than a day, so the counter of "today" outlives the day it counts. */
const counterLifetimeMilliseconds = 25 * 60 * 60 * 1000;

function keysOf(request: { userId: string; channel: string; now: number }): { userKey: string; channelKey: string } {
  const day = new Date(request.now).toISOString().slice(0, 10);
  return { userKey: `budget:user:${request.userId}:${day}`, channelKey: `budget:channel:${request.channel}:${day}` };
}

/**
 * The refusal when the user's or the channel's budget for today is already used up, checked before
 * anything is downloaded or prepared (the exact reservation follows once the request is built).
 */
export async function budgetExhausted(
  store: Store,
  limits: BudgetLimits,
  request: { userId: string; channel: string; now: number },
): Promise<string | undefined> {
  const { userKey, channelKey } = keysOf(request);
  const user = (await store.get<number>(userKey)) ?? 0;
  if (user >= limits.userDailyTokens) {
    return `You have used all ${formatCount(limits.userDailyTokens)} of your tokens for today. Your budget resets at midnight UTC.`;
  }
  const channel = (await store.get<number>(channelKey)) ?? 0;
  if (channel >= limits.channelDailyTokens) {
    return `This channel has used all ${formatCount(limits.channelDailyTokens)} of its tokens for today. The budget resets at midnight UTC.`;
  }
  return undefined;
}

/** Whether a failed model call cost nothing: refused by the service, or no answer ever arrived. */
export function failedBeforeOutput(error: unknown): boolean {
  return (
    (error instanceof ApiError && error.code !== "content-inspection") ||
    error instanceof ConnectionError ||
    error instanceof TimeoutError
  );
}

/**
 * Reserves the estimated tokens of a request on the user's and the channel's budget for the UTC day
 * before anything is sent; `settle` later books the difference to the tokens actually used.
 */
export async function reserveTokens(
  store: Store,
  limits: BudgetLimits,
  request: { userId: string; channel: string; estimatedTokens: number; now: number },
): Promise<BudgetReservation> {
  const { userKey, channelKey } = keysOf(request);
  const amount = request.estimatedTokens;
  const user = await store.incrementWithLimit(userKey, amount, limits.userDailyTokens, counterLifetimeMilliseconds);
  if (!user.allowed) {
    return {
      allowed: false,
      message:
        `You have used ${formatCount(user.total)} of your ${formatCount(limits.userDailyTokens)} tokens for today, ` +
        `and this request needs about ${formatCount(amount)}. Your budget resets at midnight UTC.`,
    };
  }
  const channel = await store.incrementWithLimit(
    channelKey,
    amount,
    limits.channelDailyTokens,
    counterLifetimeMilliseconds,
  );
  if (!channel.allowed) {
    await store.incrementWithLimit(userKey, -amount, limits.userDailyTokens, counterLifetimeMilliseconds);
    return {
      allowed: false,
      message:
        `This channel has used ${formatCount(channel.total)} of its ${formatCount(limits.channelDailyTokens)} tokens for today, ` +
        `and this request needs about ${formatCount(amount)}. The budget resets at midnight UTC.`,
    };
  }
  return {
    allowed: true,
    settle: async (actualTokens) => {
      const difference = actualTokens - amount;
      if (difference === 0) return;
      // Booked even past the limit: the tokens were spent, and the next request is the one refused.
      await store.incrementWithLimit(userKey, difference, Number.POSITIVE_INFINITY, counterLifetimeMilliseconds);
      await store.incrementWithLimit(channelKey, difference, Number.POSITIVE_INFINITY, counterLifetimeMilliseconds);
    },
  };
}
