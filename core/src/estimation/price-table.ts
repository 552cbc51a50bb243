import { z } from "zod";
import { ConfigurationError } from "../errors.js";

/*
 * Glance ships no prices: they differ by region (Singapore, Virginia, Beijing...) and change without
 * notice, so a built-in table would be wrong somewhere on the day it shipped. Callers configure them.
 */

/** Prices that apply up to a number of input tokens per request. */
export interface PriceTier {
  /** The tier applies to requests with at most this many input tokens. */
  upToInputTokens: number;
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
  /** Output price while thinking; the tier's output price when absent. */
  thinkingOutputPerMillionTokens?: number;
}

export interface ModelPrice {
  /** Any currency code or name ("USD", "CNY"); Glance only repeats it. */
  currency: string;
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
  /** Output price while thinking; `outputPerMillionTokens` when absent. */
  thinkingOutputPerMillionTokens?: number;
  /**
   * Prices that depend on the request's input tokens. The tier with the smallest `upToInputTokens`
   * that is at least the request's input tokens applies; a request above every tier falls back to the
   * prices above.
   */
  tiers?: PriceTier[];
}

/** Prices by exact model name or by catalogue family ("qwen3-vl-plus"); the exact name wins. */
export type PriceTable = Record<string, ModelPrice>;

const price = z.number().finite().nonnegative();

const tierSchema = z.strictObject({
  upToInputTokens: z.number().int().positive(),
  inputPerMillionTokens: price,
  outputPerMillionTokens: price,
  thinkingOutputPerMillionTokens: price.optional(),
});

const modelPriceSchema = z.strictObject({
  currency: z.string().trim().min(1),
  inputPerMillionTokens: price,
  outputPerMillionTokens: price,
  thinkingOutputPerMillionTokens: price.optional(),
  tiers: z
    .array(tierSchema)
    .min(1)
    .refine((tiers) => new Set(tiers.map((tier) => tier.upToInputTokens)).size === tiers.length, {
      message: "two tiers have the same upToInputTokens",
    })
    .optional(),
});

const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);

/**
 * Checks a price table read from configuration (JSON, YAML, an action input). A bad field fails with
 * its path, such as `prices["qwen3-vl-plus"].tiers[1].inputPerMillionTokens`.
 */
export function parsePriceTable(value: unknown): PriceTable {
  const result = priceTableSchema.safeParse(value);
  if (result.success) {
    // zod types absent optional fields as `T | undefined`; rebuild without them for exactOptionalPropertyTypes.
    return Object.fromEntries(Object.entries(result.data).map(([name, entry]) => [name, withoutUndefined(entry)]));
  }
  const issue = result.error.issues[0];
  const path = issue === undefined ? "prices" : formatPath(issue.path);
  const problem = issue?.message ?? "invalid";
  throw new ConfigurationError(
    path,
    `The price table is invalid at ${path}: ${problem}. Each entry needs currency, inputPerMillionTokens and ` +
      `outputPerMillionTokens (numbers, 0 or more); optional thinkingOutputPerMillionTokens and tiers ` +
      `[{ upToInputTokens, inputPerMillionTokens, outputPerMillionTokens }].`,
  );
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = "prices";
  for (const part of path) {
    if (typeof part === "number") {
      text += `[${part}]`;
    } else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) {
      text += `.${part}`;
    } else {
      text += `[${JSON.stringify(String(part))}]`;
    }
  }
  return text;
}

type ParsedModelPrice = z.infer<typeof modelPriceSchema>;

function withoutUndefined(entry: ParsedModelPrice): ModelPrice {
  const result: ModelPrice = {
    currency: entry.currency,
    inputPerMillionTokens: entry.inputPerMillionTokens,
    outputPerMillionTokens: entry.outputPerMillionTokens,
  };
  if (entry.thinkingOutputPerMillionTokens !== undefined) {
    result.thinkingOutputPerMillionTokens = entry.thinkingOutputPerMillionTokens;
  }
  if (entry.tiers !== undefined) {
    result.tiers = entry.tiers.map((tier) => {
      const copy: PriceTier = {
        upToInputTokens: tier.upToInputTokens,
        inputPerMillionTokens: tier.inputPerMillionTokens,
        outputPerMillionTokens: tier.outputPerMillionTokens,
      };
      if (tier.thinkingOutputPerMillionTokens !== undefined) {
        copy.thinkingOutputPerMillionTokens = tier.thinkingOutputPerMillionTokens;
      }
      return copy;
    });
  }
  return result;
}
