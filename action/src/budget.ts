/*
 * The run's budget, decided before each model call from estimates: every planned request is
 * estimated by core (input tokens exactly, plus a fixed output allowance per request). Requests are
 * taken in priority order; one that would push the total over max-tokens is skipped with the reason,
 * and smaller ones after it may still fit. A request's fate depends only on the requests before it,
 * so the reviews need not wait for the whole plan: `TokenBudget` takes the plans one at a time, in
 * order, as they are ready, and decides exactly as the whole plan at once would.
 */
import { formatCount } from "@glance/core";
import type { PlannedReview } from "./image-review.js";
import type { SkippedItem } from "./review-item.js";

export interface BudgetDecision {
  accepted: PlannedReview[];
  skipped: SkippedItem[];
  estimatedTokens: number;
}

export class TokenBudget {
  readonly accepted: PlannedReview[] = [];
  estimatedTokens = 0;
  readonly #maxTokens: number | undefined;

  constructor(maxTokens: number | undefined) {
    this.#maxTokens = maxTokens;
  }

  /** Takes the next plan in priority order: undefined when it fits, else why it is skipped. */
  consider(review: PlannedReview): SkippedItem | undefined {
    const maxTokens = this.#maxTokens;
    if (maxTokens !== undefined && this.estimatedTokens + review.estimatedTokens > maxTokens) {
      return {
        name: review.item.name,
        reason: `max-tokens: needs about ${formatCount(review.estimatedTokens)} tokens, ${formatCount(Math.max(0, maxTokens - this.estimatedTokens))} of ${formatCount(maxTokens)} left`,
      };
    }
    this.estimatedTokens += review.estimatedTokens;
    this.accepted.push(review);
    return undefined;
  }
}

/** The same decisions for a whole plan at once. */
export function applyTokenBudget(planned: readonly PlannedReview[], maxTokens: number | undefined): BudgetDecision {
  const budget = new TokenBudget(maxTokens);
  const skipped: SkippedItem[] = [];
  for (const review of planned) {
    const refusal = budget.consider(review);
    if (refusal !== undefined) skipped.push(refusal);
  }
  return { accepted: budget.accepted, skipped, estimatedTokens: budget.estimatedTokens };
}
