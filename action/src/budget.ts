/*
 * The run's budget, decided before any model call: every planned request is already estimated by
 * core (input tokens exactly, plus a fixed output allowance per request). Requests are taken in
 * priority order; one that would push the total over max-tokens is skipped with the reason, and
 * smaller ones after it may still fit.
 */
import { formatCount } from "@glance/core";
import type { PlannedReview } from "./image-review.js";
import type { SkippedItem } from "./review-item.js";

export interface BudgetDecision {
  accepted: PlannedReview[];
  skipped: SkippedItem[];
  estimatedTokens: number;
}

export function applyTokenBudget(planned: readonly PlannedReview[], maxTokens: number | undefined): BudgetDecision {
  const accepted: PlannedReview[] = [];
  const skipped: SkippedItem[] = [];
  let total = 0;
  for (const review of planned) {
    if (maxTokens !== undefined && total + review.estimatedTokens > maxTokens) {
      skipped.push({
        name: review.item.name,
        reason: `max-tokens: needs about ${formatCount(review.estimatedTokens)} tokens, ${formatCount(Math.max(0, maxTokens - total))} of ${formatCount(maxTokens)} left`,
      });
      continue;
    }
    total += review.estimatedTokens;
    accepted.push(review);
  }
  return { accepted, skipped, estimatedTokens: total };
}
