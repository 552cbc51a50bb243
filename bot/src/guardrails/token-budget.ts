import { formatCount } from "@glance/core";
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

/**
 * Reserves the estimated tokens of a request on the user's and the channel's budget for the UTC day
 * before anything is sent; `settle` later books the difference to the tokens actually used.
 */
export async function reserveTokens(
  store: Store,
  limits: BudgetLimits,
  request: { userId: string; channel: string; estimatedTokens: number; now: number },
): Promise<BudgetReservation> {
  const day = new Date(request.now).toISOString().slice(0, 10);
  const userKey = `budget:user:${request.userId}:${day}`;
  const channelKey = `budget:channel:${request.channel}:${day}`;
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
