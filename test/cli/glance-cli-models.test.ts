/*
 * The models of late 2026 through the real `glance` build: known ones estimate silently, a newer one
 * named like the vendor's (qwen3.9-plus) estimates with one warning line on stderr, and --strict-model
 * refuses it with exit code 65 (EX_DATAERR, a setting to change).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { estimateImageTokens } from "@glance/core";
import sharp from "sharp";
import { runGlance } from "../support/run-glance.js";

const screenshot = fileURLToPath(new URL("../../examples/settings-screen.png", import.meta.url));

interface EstimateJson {
  inputs: Array<{ tokens: number; width: number; height: number }>;
}

async function expectedTokens(model: string): Promise<number> {
  const metadata = await sharp(screenshot).metadata();
  return estimateImageTokens({ model, width: metadata.width, height: metadata.height }).tokens;
}

describe("glance CLI: models of late 2026", () => {
  for (const model of ["qwen3.6-plus", "qwen3.7-plus"]) {
    it(`estimates ${model} without a warning`, async () => {
      const run = await runGlance(["estimate", screenshot, "--model", model, "--json"]);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.stderr, "");
      const result = JSON.parse(run.stdout) as EstimateJson;
      assert.equal(result.inputs[0]?.tokens, await expectedTokens(model));
    });
  }

  it("estimates a newer model named like the vendor's, with one warning line saying what it assumed", async () => {
    const run = await runGlance(["estimate", screenshot, "--model", "qwen3.9-plus", "--json"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(
      run.stderr,
      `glance: warning: Model "qwen3.9-plus" is not in Glance's catalogue; assuming it takes images and has the limits of qwen3.7-plus, the nearest known model.\n`,
    );
    // stdout stays pure JSON, with the nearest family's estimate.
    const result = JSON.parse(run.stdout) as EstimateJson;
    assert.equal(result.inputs[0]?.tokens, await expectedTokens("qwen3.7-plus"));
  });

  it("names the model asked for in the plain estimate too", async () => {
    const run = await runGlance(["estimate", screenshot, "-m", "qwen3.9-plus"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stderr.split("\n").filter((line) => line !== "").length, 1);
    assert.match(run.stderr, /^glance: warning: Model "qwen3\.9-plus"/);
    assert.match(run.stdout, new RegExp(`${(await expectedTokens("qwen3.7-plus")).toLocaleString("en-US")} tokens`));
  });

  it("refuses the newer model with --strict-model: exit 65, one line, nothing on stdout", async () => {
    const run = await runGlance(["estimate", screenshot, "--model", "qwen3.9-plus", "--strict-model"]);
    assert.equal(run.exitCode, 65, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^glance: Model "qwen3\.9-plus" is not in Glance's catalogue, and strict models refuse to assume .*qwen3\.7-plus.*\n$/,
    );
    assert.equal(run.stderr.split("\n").length, 2, "one line");
  });

  it("accepts a known model with --strict-model", async () => {
    const run = await runGlance(["estimate", screenshot, "--model", "qwen3.7-plus", "--strict-model", "--json"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stderr, "");
  });

  it("keeps an unknown name that follows no vendor naming an error, with or without --strict-model", async () => {
    for (const flags of [[], ["--strict-model"]]) {
      const run = await runGlance(["estimate", screenshot, "--model", "qwen3-max", ...flags]);
      assert.equal(run.exitCode, 65, run.stderr);
      assert.match(run.stderr, /^glance: Unknown model "qwen3-max"\. Known models: qwen3\.7-plus, /);
    }
  });
});
