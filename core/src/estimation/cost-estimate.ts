import { defaultCatalogue } from "../catalogue/model-catalogue.js";
import { ConfigurationError, GlanceError } from "../errors.js";
import { type ModelPrice, type PriceTable, parsePriceTable } from "./price-table.js";

export interface CostInput {
  /** The model name as sent in the request. */
  model: string;
  /** The catalogue family; looked up in the default catalogue when absent. */
  family?: string;
  inputTokens: number;
  outputTokens?: number;
  /** Whether the answer was produced with thinking on (some prices charge thinking output more). */
  thinking?: boolean;
  prices?: PriceTable;
}

export interface CostEstimate {
  inputTokens: number;
  outputTokens: number;
  currency?: string;
  inputCost?: number;
  outputCost?: number;
  totalCost?: number;
  /** True when a configured price was found and the money fields are filled in. */
  priced: boolean;
  /** Why there is no price, and how to configure one. */
  reason?: string;
}

/**
 * Tokens always; money only when the caller configured a price for the model (exact name first, then
 * its family). Glance has no built-in prices.
 */
export function estimateCost(input: CostInput): CostEstimate {
  const inputTokens = checkTokens("inputTokens", input.inputTokens);
  const outputTokens = checkTokens("outputTokens", input.outputTokens ?? 0);
  const family = input.family ?? familyOf(input.model);
  const names = family === undefined || family === input.model ? [input.model] : [input.model, family];
  const quoted = names.map((name) => `"${name}"`).join(" or ");

  if (input.prices === undefined) {
    return {
      inputTokens,
      outputTokens,
      priced: false,
      reason: `No price table was given. Pass prices with an entry named ${quoted} to see costs; Glance ships no prices because they differ by region and change.`,
    };
  }
  const prices = parsePriceTable(input.prices);
  const entry = names.map((name) => prices[name]).find((candidate) => candidate !== undefined);
  if (entry === undefined) {
    return {
      inputTokens,
      outputTokens,
      priced: false,
      reason: `The price table has no entry for ${quoted}. Add one (currency, inputPerMillionTokens, outputPerMillionTokens) to see costs.`,
    };
  }
  const rates = ratesFor(entry, inputTokens);
  const outputRate =
    input.thinking === true
      ? (rates.thinkingOutputPerMillionTokens ?? rates.outputPerMillionTokens)
      : rates.outputPerMillionTokens;
  const inputCost = (inputTokens * rates.inputPerMillionTokens) / 1_000_000;
  const outputCost = (outputTokens * outputRate) / 1_000_000;
  return {
    inputTokens,
    outputTokens,
    currency: entry.currency,
    inputCost,
    outputCost,
    totalCost: inputCost + outputCost,
    priced: true,
  };
}

type Rates = Pick<ModelPrice, "inputPerMillionTokens" | "outputPerMillionTokens" | "thinkingOutputPerMillionTokens">;

function ratesFor(entry: ModelPrice, inputTokens: number): Rates {
  const tiers = [...(entry.tiers ?? [])].sort((first, second) => first.upToInputTokens - second.upToInputTokens);
  return tiers.find((tier) => inputTokens <= tier.upToInputTokens) ?? entry;
}

function familyOf(model: string): string | undefined {
  try {
    const resolved = defaultCatalogue.resolve(model);
    // A model resolved by assumption is another model with borrowed limits, not priced as that one.
    return resolved.assumption === undefined ? resolved.family : undefined;
  } catch (error) {
    // An unknown model can still be priced by its exact name; anything else is a real fault.
    if (error instanceof GlanceError && error.code === "configuration") {
      return undefined;
    }
    throw error;
  }
}

function checkTokens(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(name, `${name} is ${value}; it must be a whole number of tokens, 0 or more.`);
  }
  return value;
}
