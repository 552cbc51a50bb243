/*
 * max-tokens while the reviews run. budget.ts decides the plan from estimates before any call; this
 * holds the run to what the model really reports, so a model that answers far longer than allowed
 * cannot take the run past max-tokens. A request may start only when the tokens already used, plus
 * the estimates of the requests in flight, plus its own estimate fit.
 */
import { formatCount } from "@glance/core";

export class LiveTokenBudget {
  private readonly maxTokens: number | undefined;
  private usedTokens = 0;
  private reservedTokens = 0;

  constructor(maxTokens: number | undefined) {
    this.maxTokens = maxTokens;
  }

  /**
   * Reserves the request's estimate; or, when it no longer fits, the reason it is skipped (for the
   * comment's skipped list). Every reservation is released with `settle`, whatever the outcome.
   */
  reserve(estimatedTokens: number): { reserved: true } | { reserved: false; reason: string } {
    if (this.maxTokens !== undefined && this.usedTokens + this.reservedTokens + estimatedTokens > this.maxTokens) {
      return {
        reserved: false,
        reason: `max-tokens: the answers so far used more than estimated (${formatCount(this.usedTokens)} of ${formatCount(this.maxTokens)} tokens), and this image needs about ${formatCount(estimatedTokens)}`,
      };
    }
    this.reservedTokens += estimatedTokens;
    return { reserved: true };
  }

  /** Releases a reservation and counts what the request really used (0 when it failed). */
  settle(estimatedTokens: number, usedTokens: number): void {
    this.reservedTokens -= estimatedTokens;
    this.usedTokens += usedTokens;
  }
}
