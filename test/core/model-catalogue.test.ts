import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError, defaultCatalogue, defaultModel, ModelCatalogue, modelFamilies } from "@glance/core";

/* Each row restates a fact of the reference page and checks the catalogue against it. */
describe("model catalogue", () => {
  const table: Array<{
    name: string;
    factor: number;
    defaultMaxPixels: number;
    highResolutionMaxPixels: number;
    imageUrlMegabytes: number;
    listMaxFrames: number;
    maxMinutes: number;
    videoUrlBytes: number;
    thinking: string;
  }> = [
    {
      name: "qwen3.5-plus",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 20,
      listMaxFrames: 8000,
      maxMinutes: 120,
      videoUrlBytes: 2e9,
      thinking: "hybrid-on",
    },
    {
      name: "qwen3.5-flash-2026-02-23",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 20,
      listMaxFrames: 8000,
      maxMinutes: 120,
      videoUrlBytes: 2e9,
      thinking: "hybrid-on",
    },
    {
      name: "qwen3.5-27b",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 20,
      listMaxFrames: 8000,
      maxMinutes: 120,
      videoUrlBytes: 2e9,
      thinking: "hybrid-on",
    },
    {
      name: "qwen3-vl-plus",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 2000,
      maxMinutes: 60,
      videoUrlBytes: 2e9,
      thinking: "hybrid-off",
    },
    {
      name: "qwen3-vl-flash-latest",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 2000,
      maxMinutes: 60,
      videoUrlBytes: 2e9,
      thinking: "hybrid-off",
    },
    {
      name: "qwen3-vl-235b-a22b-thinking",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 2000,
      maxMinutes: 60,
      videoUrlBytes: 2e9,
      thinking: "always",
    },
    {
      name: "qwen3-vl-8b-instruct",
      factor: 32,
      defaultMaxPixels: 2_621_440,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 20,
      videoUrlBytes: 2e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-max",
      factor: 32,
      defaultMaxPixels: 1_310_720,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 20,
      videoUrlBytes: 2e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-max-2025-08-13",
      factor: 32,
      defaultMaxPixels: 1_310_720,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 20,
      videoUrlBytes: 2e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-max-2025-04-08",
      factor: 28,
      defaultMaxPixels: 1_003_520,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 20,
      videoUrlBytes: 2e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-max-2024-11-19",
      factor: 28,
      defaultMaxPixels: 1_003_520,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-plus-latest",
      factor: 32,
      defaultMaxPixels: 1_310_720,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-plus-2025-05-07",
      factor: 28,
      defaultMaxPixels: 1_003_520,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
    {
      name: "qwen2.5-vl-72b-instruct",
      factor: 28,
      defaultMaxPixels: 1_003_520,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
    {
      name: "qvq-max",
      factor: 28,
      defaultMaxPixels: 1_003_520,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "always",
    },
  ];

  for (const row of table) {
    it(`knows ${row.name}`, () => {
      const model = defaultCatalogue.resolve(row.name);
      assert.equal(model.name, row.name);
      assert.equal(model.imagePixelFactor, row.factor);
      assert.equal(model.defaultMaxPixels, row.defaultMaxPixels);
      assert.equal(model.highResolutionMaxPixels, row.highResolutionMaxPixels);
      assert.equal(model.image.urlMaxBytes, row.imageUrlMegabytes * 1_000_000);
      assert.equal(model.image.base64MaxBytes, 10_000_000);
      assert.equal(model.image.maxCountUrl, 256);
      assert.equal(model.image.maxCountBase64, 250);
      assert.equal(model.video.imageListMinFrames, 4);
      assert.equal(model.video.imageListMaxFrames, row.listMaxFrames);
      assert.equal(model.video.minDurationSeconds, 2);
      assert.equal(model.video.maxDurationSeconds, row.maxMinutes * 60);
      assert.equal(model.video.urlMaxBytes, row.videoUrlBytes);
      assert.equal(model.thinking, row.thinking);
    });
  }

  it("gives the video calculator's per-frame constants by family", () => {
    const plus = defaultCatalogue.resolve("qwen3-vl-plus").videoTokens;
    assert.deepEqual([plus.maxPixelsPerFrame, plus.maxFrames, plus.totalPixels], [640 * 1024, 2000, 131072 * 1024]);
    const flash = defaultCatalogue.resolve("qwen3-vl-flash").videoTokens;
    assert.deepEqual([flash.maxPixelsPerFrame, flash.maxFrames, flash.totalPixels], [768 * 1024, 512, 65536 * 1024]);
    assert.equal(defaultCatalogue.resolve("qwen-vl-max").videoTokens.maxFrames, 512);
    assert.equal(defaultCatalogue.resolve("qvq-max").videoTokens.maxFrames, 80);
  });

  it("uses 32-pixel video frames for qwen-vl-plus from the 2025-07-10 snapshot on", () => {
    assert.equal(defaultCatalogue.resolve("qwen-vl-plus-2025-07-10").videoPixelFactor, 32);
    assert.equal(defaultCatalogue.resolve("qwen-vl-plus-2025-07-10").imagePixelFactor, 28);
    assert.equal(defaultCatalogue.resolve("qwen-vl-plus-2025-01-25").videoPixelFactor, 28);
  });

  it("says which coordinates each series localizes in (FAQ: Drawing bounding boxes)", () => {
    // "Qwen3-VL: relative coordinates normalized to [0, 999]"; "Qwen2.5-VL: absolute pixel coordinates".
    const expected = {
      "qwen3.5": "relative-1000",
      "qwen3-vl": "relative-1000",
      "qwen2.5-vl": "absolute-pixels",
      qvq: "absolute-pixels",
    } as const;
    for (const family of modelFamilies) {
      assert.equal(family.localizationCoordinates, expected[family.series], family.family);
    }
    assert.equal(defaultCatalogue.resolve("qwen3-vl-plus-2025-09-23").localizationCoordinates, "relative-1000");
    assert.equal(defaultCatalogue.resolve("qwen-vl-max-latest").localizationCoordinates, "absolute-pixels");
  });

  it("names a default model the catalogue knows: the reference's top recommendation", () => {
    assert.equal(defaultModel, "qwen3.5-plus");
    assert.equal(defaultCatalogue.resolve(defaultModel).family, "qwen3.5-plus");
  });

  it("refuses an unknown model with the list of families", () => {
    assert.throws(
      () => defaultCatalogue.resolve("gpt-4o"),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /Unknown model "gpt-4o"/.test(error.message) &&
        error.message.includes("qwen3.5-plus") &&
        error.message.includes("qvq"),
    );
    assert.throws(() => defaultCatalogue.resolve("qwen3-vl-8b-instruct-2025-01-01"), ConfigurationError);
  });

  it("lets users register their own entries, which win over the built-ins", () => {
    const catalogue = new ModelCatalogue();
    const base = catalogue.resolve("qwen3-vl-plus");
    catalogue.register("my-deployment", { ...base, family: "custom", maxInputTokens: 32_000 });
    assert.equal(catalogue.resolve("my-deployment").maxInputTokens, 32_000);
    assert.equal(catalogue.resolve("my-deployment").family, "custom");
    assert.throws(() => defaultCatalogue.resolve("my-deployment"), ConfigurationError);
  });

  it("does not let a resolved entry change the catalogue", () => {
    const first = defaultCatalogue.resolve("qwen3.5-plus");
    first.image.maxCountBase64 = 1;
    assert.equal(defaultCatalogue.resolve("qwen3.5-plus").image.maxCountBase64, 250);
    assert.ok(modelFamilies.length >= 10);
  });
});
