import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError, type CostInput, estimateCost, type PriceTable, parsePriceTable } from "@glance/core";

/* Made-up prices: Glance has none built in, and these only need to be easy to multiply by hand. */
const prices: PriceTable = {
  "qwen3-vl-plus": {
    currency: "USD",
    inputPerMillionTokens: 1,
    outputPerMillionTokens: 8,
    // Deliberately out of order: the tier is chosen by bound, not by position.
    tiers: [
      { upToInputTokens: 128_000, inputPerMillionTokens: 0.3, outputPerMillionTokens: 2.4 },
      { upToInputTokens: 32_000, inputPerMillionTokens: 0.2, outputPerMillionTokens: 1.6 },
    ],
  },
  "qwen3-vl-plus-2025-09-23": { currency: "CNY", inputPerMillionTokens: 1, outputPerMillionTokens: 10 },
  "qwen3.5-flash": {
    currency: "USD",
    inputPerMillionTokens: 0.1,
    outputPerMillionTokens: 0.4,
    thinkingOutputPerMillionTokens: 1.2,
  },
  "my-private-model": { currency: "EUR", inputPerMillionTokens: 2, outputPerMillionTokens: 4 },
};

interface PricedCase {
  name: string;
  input: Omit<CostInput, "prices">;
  currency: string;
  inputCost: number;
  outputCost: number;
}

const pricedCases: PricedCase[] = [
  {
    name: "an exact snapshot entry wins over its family",
    input: { model: "qwen3-vl-plus-2025-09-23", inputTokens: 1000, outputTokens: 500 },
    currency: "CNY",
    inputCost: 0.001, // 1000 x 1 / 1e6
    outputCost: 0.005, // 500 x 10 / 1e6
  },
  {
    name: "another snapshot falls back to its catalogue family, lowest tier",
    input: { model: "qwen3-vl-plus-2025-10-01", inputTokens: 20_000, outputTokens: 1000 },
    currency: "USD",
    inputCost: 0.004, // 20,000 x 0.2 / 1e6
    outputCost: 0.0016, // 1000 x 1.6 / 1e6
  },
  {
    name: "a tier's bound is inclusive",
    input: { model: "qwen3-vl-plus", inputTokens: 32_000 },
    currency: "USD",
    inputCost: 0.0064,
    outputCost: 0,
  },
  {
    name: "one token over a bound moves to the next tier",
    input: { model: "qwen3-vl-plus", inputTokens: 32_001, outputTokens: 10 },
    currency: "USD",
    inputCost: 0.0096003, // 32,001 x 0.3 / 1e6
    outputCost: 0.000024, // 10 x 2.4 / 1e6
  },
  {
    name: "above every tier the entry's own prices apply",
    input: { model: "qwen3-vl-plus", inputTokens: 300_000, outputTokens: 100 },
    currency: "USD",
    inputCost: 0.3,
    outputCost: 0.0008,
  },
  {
    name: "thinking output uses the thinking price",
    input: { model: "qwen3.5-flash", inputTokens: 0, outputTokens: 2000, thinking: true },
    currency: "USD",
    inputCost: 0,
    outputCost: 0.0024, // 2000 x 1.2 / 1e6
  },
  {
    name: "output without thinking uses the plain output price",
    input: { model: "qwen3.5-flash", inputTokens: 0, outputTokens: 2000, thinking: false },
    currency: "USD",
    inputCost: 0,
    outputCost: 0.0008,
  },
  {
    name: "thinking without a thinking price uses the output price",
    input: { model: "my-private-model", inputTokens: 500_000, outputTokens: 250_000, thinking: true },
    currency: "EUR",
    inputCost: 1,
    outputCost: 1,
  },
  {
    name: "an explicit family replaces the catalogue's",
    input: { model: "my-deployment", family: "qwen3.5-flash", inputTokens: 1_000_000 },
    currency: "USD",
    inputCost: 0.1,
    outputCost: 0,
  },
];

function assertClose(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} is not ${expected}`);
}

describe("estimateCost with a price", () => {
  for (const { name, input, currency, inputCost, outputCost } of pricedCases) {
    it(name, () => {
      const estimate = estimateCost({ ...input, prices });
      assert.equal(estimate.priced, true);
      assert.equal(estimate.reason, undefined);
      assert.equal(estimate.currency, currency);
      assert.equal(estimate.inputTokens, input.inputTokens);
      assert.equal(estimate.outputTokens, input.outputTokens ?? 0);
      assertClose(estimate.inputCost, inputCost, "input cost");
      assertClose(estimate.outputCost, outputCost, "output cost");
      assertClose(estimate.totalCost, inputCost + outputCost, "total cost");
    });
  }
});

describe("estimateCost without a price", () => {
  const cases: Array<{ name: string; input: CostInput; reason: RegExp }> = [
    {
      name: "no table at all names the model and its family",
      input: { model: "qwen3-vl-flash-2025-10-15", inputTokens: 10, outputTokens: 2 },
      reason: /No price table.*"qwen3-vl-flash-2025-10-15" or "qwen3-vl-flash"/,
    },
    {
      name: "a known model missing from the table",
      input: { model: "qwen3-vl-flash", inputTokens: 10, outputTokens: 2, prices },
      reason: /no entry for "qwen3-vl-flash"\. Add one/,
    },
    {
      name: "a model the catalogue does not know",
      input: { model: "someone-elses-model", inputTokens: 10, prices },
      reason: /no entry for "someone-elses-model"\./,
    },
  ];
  for (const { name, input, reason } of cases) {
    it(name, () => {
      const estimate = estimateCost(input);
      assert.equal(estimate.priced, false);
      assert.match(estimate.reason ?? "", reason);
      assert.equal(estimate.inputTokens, input.inputTokens);
      assert.equal(estimate.outputTokens, input.outputTokens ?? 0);
      assert.equal(estimate.totalCost, undefined);
      assert.equal(estimate.currency, undefined);
    });
  }

  it("rejects token counts that are not whole and non-negative", () => {
    assert.throws(() => estimateCost({ model: "qwen3-vl-plus", inputTokens: -1 }), ConfigurationError);
    assert.throws(() => estimateCost({ model: "qwen3-vl-plus", inputTokens: 1, outputTokens: 0.5 }), /outputTokens/);
  });
});

describe("parsePriceTable", () => {
  it("accepts a valid table and keeps it as given", () => {
    const parsed = parsePriceTable(JSON.parse(JSON.stringify(prices)));
    assert.deepEqual(parsed, prices);
  });

  const invalid: Array<{ name: string; value: unknown; path: string }> = [
    { name: "not an object", value: [1, 2], path: "prices" },
    {
      name: "a negative price",
      value: { "qwen3-vl-plus": { currency: "USD", inputPerMillionTokens: -1, outputPerMillionTokens: 1 } },
      path: 'prices["qwen3-vl-plus"].inputPerMillionTokens',
    },
    {
      name: "a missing currency",
      value: { plain: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
      path: "prices.plain.currency",
    },
    {
      name: "a price given as a string",
      value: { plain: { currency: "USD", inputPerMillionTokens: 1, outputPerMillionTokens: "2" } },
      path: "prices.plain.outputPerMillionTokens",
    },
    {
      name: "a tier bound that is not a whole number",
      value: {
        plain: {
          currency: "USD",
          inputPerMillionTokens: 1,
          outputPerMillionTokens: 1,
          tiers: [
            { upToInputTokens: 1000, inputPerMillionTokens: 1, outputPerMillionTokens: 1 },
            { upToInputTokens: 1.5, inputPerMillionTokens: 1, outputPerMillionTokens: 1 },
          ],
        },
      },
      path: "prices.plain.tiers[1].upToInputTokens",
    },
    {
      name: "two tiers with the same bound",
      value: {
        plain: {
          currency: "USD",
          inputPerMillionTokens: 1,
          outputPerMillionTokens: 1,
          tiers: [
            { upToInputTokens: 1000, inputPerMillionTokens: 1, outputPerMillionTokens: 1 },
            { upToInputTokens: 1000, inputPerMillionTokens: 2, outputPerMillionTokens: 2 },
          ],
        },
      },
      path: "prices.plain.tiers",
    },
    {
      name: "a misspelt field",
      value: { plain: { currency: "USD", inputPerMillionTokens: 1, outputPerMillionTokens: 1, outputPerMillion: 3 } },
      path: "prices.plain",
    },
  ];
  for (const { name, value, path } of invalid) {
    it(`names the path of ${name}`, () => {
      assert.throws(
        () => parsePriceTable(value),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError);
          assert.equal(error.setting, path);
          assert.ok(error.message.includes(`at ${path}:`), error.message);
          return true;
        },
      );
    });
  }

  it("checks the table estimateCost is given", () => {
    const broken = { "qwen3-vl-plus": { currency: "", inputPerMillionTokens: 1, outputPerMillionTokens: 1 } };
    assert.throws(
      () => estimateCost({ model: "qwen3-vl-plus", inputTokens: 1, prices: broken }),
      /prices\["qwen3-vl-plus"\]\.currency/,
    );
  });
});
