import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigurationError,
  defaultCatalogue,
  defaultModel,
  estimateCost,
  ModelCatalogue,
  modelFamilies,
} from "@glance/core";

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
      name: "qwen3.7-plus",
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
      name: "qwen3.7-plus-2026-05-26",
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
      name: "qwen3.7-flash-2026-07-15",
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
      name: "qwen3.6-plus-2026-04-02",
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
      name: "qwen3.6-flash",
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
      name: "qwen3.6-35b-a3b",
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
      name: "qwen3-vl-plus-2025-12-19",
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
      name: "qwen-vl-ocr-2025-11-20",
      factor: 32,
      defaultMaxPixels: 8_388_608,
      highResolutionMaxPixels: 16_777_216,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
    {
      name: "qwen-vl-ocr",
      factor: 28,
      defaultMaxPixels: 6_422_528,
      highResolutionMaxPixels: 12_845_056,
      imageUrlMegabytes: 10,
      listMaxFrames: 512,
      maxMinutes: 10,
      videoUrlBytes: 1e9,
      thinking: "none",
    },
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
      "qwen3.7": "relative-1000",
      "qwen3.6": "relative-1000",
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

/* The limits and capabilities of the models added for late 2026, as the catalogue's cited sources give them. */
describe("model catalogue: limits and capabilities", () => {
  const table: Array<{
    name: string;
    family: string;
    maxInputTokens: number;
    maxOutputTokens: number | undefined;
    minPixels: number;
    structuredOutput: "json-schema" | "json-object" | "none";
    streamingOnly: boolean;
  }> = [
    // Output: sources disagree (131,072 / 65,536 / 64,000): the cautious 64,000.
    {
      name: "qwen3.7-plus",
      family: "qwen3.7-plus",
      maxInputTokens: 991_808,
      maxOutputTokens: 64_000,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    {
      name: "qwen3.7-flash",
      family: "qwen3.7-flash",
      maxInputTokens: 991_000,
      maxOutputTokens: 65_536,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    {
      name: "qwen3.6-plus",
      family: "qwen3.6-plus",
      maxInputTokens: 991_808,
      maxOutputTokens: 65_536,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    // Output: 65,536 vs 32,768: the cautious 32,768.
    {
      name: "qwen3.6-flash-2026-04-16",
      family: "qwen3.6-flash",
      maxInputTokens: 991_808,
      maxOutputTokens: 32_768,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    {
      name: "qwen3.6-35b-a3b",
      family: "qwen3.6-35b-a3b",
      maxInputTokens: 258_048,
      maxOutputTokens: 65_536,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    {
      name: "qwen3-vl-plus-2025-12-19",
      family: "qwen3-vl-plus",
      maxInputTokens: 258_048,
      maxOutputTokens: 32_768,
      minPixels: 4096,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
    {
      name: "qwen-vl-ocr-2025-11-20",
      family: "qwen-vl-ocr-2025-11-20",
      maxInputTokens: 30_000,
      maxOutputTokens: 8_192,
      minPixels: 3072,
      structuredOutput: "none",
      streamingOnly: false,
    },
    {
      name: "qwen-vl-ocr-1120",
      family: "qwen-vl-ocr-2025-11-20",
      maxInputTokens: 30_000,
      maxOutputTokens: 8_192,
      minPixels: 3072,
      structuredOutput: "none",
      streamingOnly: false,
    },
    // Stable qwen-vl-ocr: the page's editions disagree (8,192 vs 4,096 output): the cautious older values.
    {
      name: "qwen-vl-ocr",
      family: "qwen-vl-ocr",
      maxInputTokens: 30_000,
      maxOutputTokens: 4_096,
      minPixels: 3136,
      structuredOutput: "none",
      streamingOnly: false,
    },
    {
      name: "qwen-vl-ocr-2025-04-13",
      family: "qwen-vl-ocr",
      maxInputTokens: 30_000,
      maxOutputTokens: 4_096,
      minPixels: 3136,
      structuredOutput: "none",
      streamingOnly: false,
    },
    {
      name: "qvq-max-2025-03-25",
      family: "qvq",
      maxInputTokens: 106_496,
      maxOutputTokens: undefined,
      minPixels: 3136,
      structuredOutput: "none",
      streamingOnly: true,
    },
    {
      name: "qwen3-vl-235b-a22b-thinking",
      family: "qwen3-vl-235b-a22b-thinking",
      maxInputTokens: 126_976,
      maxOutputTokens: undefined,
      minPixels: 4096,
      structuredOutput: "none",
      streamingOnly: false,
    },
    {
      name: "qwen-vl-max-2025-04-08",
      family: "qwen-vl-max",
      maxInputTokens: 129_024,
      maxOutputTokens: undefined,
      minPixels: 3136,
      structuredOutput: "json-object",
      streamingOnly: false,
    },
  ];

  for (const row of table) {
    it(`gives ${row.name} its limits`, () => {
      const model = defaultCatalogue.resolve(row.name);
      assert.equal(model.assumption, undefined, "a catalogue name is known, not assumed");
      assert.deepEqual(
        {
          name: model.name,
          family: model.family,
          maxInputTokens: model.maxInputTokens,
          maxOutputTokens: model.maxOutputTokens,
          minPixels: model.minPixels,
          structuredOutput: model.structuredOutput,
          streamingOnly: model.streamingOnly,
        },
        row,
      );
    });
  }

  it("marks only QVQ streaming-only, and no thinking-only model as taking structured output", () => {
    for (const family of modelFamilies) {
      assert.equal(family.streamingOnly, family.series === "qvq", family.family);
      if (family.thinking === "always") assert.equal(family.structuredOutput, "none", family.family);
    }
  });

  it("resolves the US deployment names the vendor documents without an assumption", () => {
    for (const name of ["qwen3-vl-flash-us", "qwen3-vl-flash-2025-10-15-us"]) {
      const model = defaultCatalogue.resolve(name, { strictModels: true });
      assert.equal(model.family, "qwen3-vl-flash");
      assert.equal(model.name, name);
      assert.equal(model.assumption, undefined);
    }
    assert.throws(() => defaultCatalogue.resolve("qwen3-vl-flash-us-us"), ConfigurationError);
  });

  it("applies the older OCR rules to an older undocumented OCR snapshot, the newer ones to a later one", () => {
    assert.equal(defaultCatalogue.resolve("qwen-vl-ocr-2025-06-01").imagePixelFactor, 28);
    assert.equal(defaultCatalogue.resolve("qwen-vl-ocr-2025-06-01").localizationCoordinates, "absolute-pixels");
    assert.equal(defaultCatalogue.resolve("qwen-vl-ocr-2026-03-01").imagePixelFactor, 32);
    assert.equal(defaultCatalogue.resolve("qwen-vl-ocr-2026-03-01").maxOutputTokens, 8_192);
  });
});

describe("model catalogue: newer models resolved by the vendor's naming", () => {
  function recordingLogger(): { warn(message: string): void; lines: string[] } {
    const lines: string[] = [];
    return { lines, warn: (message) => lines.push(message) };
  }

  const cases: Array<{ name: string; nearest: string }> = [
    { name: "qwen3.9-plus", nearest: "qwen3.7-plus" },
    { name: "qwen3.9-flash", nearest: "qwen3.7-flash" },
    // Qwen3.8 is deliberately not a catalogue entry: sources disagree whether qwen3.8-max takes images.
    { name: "qwen3.8-max", nearest: "qwen3.7-plus" },
    { name: "qwen3.8-max-0902", nearest: "qwen3.7-plus" },
    { name: "qwen3.8-flash", nearest: "qwen3.7-flash" },
    { name: "qwen3.9-plus-2027-01-15", nearest: "qwen3.7-plus" },
    { name: "qwen3.9-plus-latest", nearest: "qwen3.7-plus" },
    { name: "qwen3.9-plus-us", nearest: "qwen3.7-plus" },
    { name: "qwen4-max-preview", nearest: "qwen3.7-plus" },
    { name: "qwen3.10-flash", nearest: "qwen3.7-flash" },
    { name: "qwen3.8-27b", nearest: "qwen3.6-35b-a3b" },
    { name: "qwen3.5-9b", nearest: "qwen3.5-397b-a17b" },
    { name: "qwen3.5-max", nearest: "qwen3.5-plus" },
  ];

  for (const { name, nearest } of cases) {
    it(`resolves ${name} to ${nearest} with one warning`, () => {
      const logger = recordingLogger();
      const model = defaultCatalogue.resolve(name, { logger });
      const nearestEntry = defaultCatalogue.resolve(nearest);
      assert.equal(model.name, name, "the request still names the model asked for");
      assert.equal(model.family, nearestEntry.family);
      assert.equal(model.maxInputTokens, nearestEntry.maxInputTokens);
      assert.equal(model.imagePixelFactor, nearestEntry.imagePixelFactor);
      assert.equal(
        model.assumption,
        `Model "${name}" is not in Glance's catalogue; assuming it takes images and has the limits of ${nearest}, the nearest known model.`,
      );
      assert.deepEqual(logger.lines, [model.assumption]);
    });
  }

  it("resolves the US suffix of a known model the vendor does not document, saying so", () => {
    const logger = recordingLogger();
    const model = defaultCatalogue.resolve("qwen3.7-plus-2026-05-26-us", { logger });
    assert.equal(model.family, "qwen3.7-plus");
    assert.equal(
      model.assumption,
      `Model "qwen3.7-plus-2026-05-26-us" is not in Glance's catalogue; assuming it is the US deployment of "qwen3.7-plus-2026-05-26", with the same limits.`,
    );
    assert.deepEqual(logger.lines, [model.assumption]);
  });

  it("warns nothing for known names", () => {
    const logger = recordingLogger();
    for (const name of ["qwen3.7-plus", "qwen3.5-plus-2026-02-15", "qwen-vl-max-latest", "qwen3-vl-flash-us"]) {
      assert.equal(defaultCatalogue.resolve(name, { logger }).assumption, undefined, name);
    }
    assert.deepEqual(logger.lines, []);
  });

  it("refuses what it would assume in strict mode, naming the assumption and the known models", () => {
    const logger = recordingLogger();
    for (const name of ["qwen3.9-plus", "qwen3.8-max", "qwen3.7-plus-us"]) {
      assert.throws(
        () => defaultCatalogue.resolve(name, { strictModels: true, logger }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.message.startsWith(
            `Model "${name}" is not in Glance's catalogue, and strict models refuse to assume `,
          ) &&
          error.message.includes("qwen3.7-plus, ") &&
          !error.message.includes("\n"),
        name,
      );
    }
    assert.deepEqual(logger.lines, [], "a refused name warns nothing");
    assert.equal(defaultCatalogue.resolve("qwen3.7-plus", { strictModels: true }).family, "qwen3.7-plus");
  });

  it("keeps other unknown names an error: text models, other vendors, older versions", () => {
    for (const name of ["gpt-4o", "qwen3-max", "qwen-plus", "qwen3.4-plus", "qwen3.9-coder-plus", "qwen3.9-omni"]) {
      assert.throws(
        () => defaultCatalogue.resolve(name),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.message.startsWith(`Unknown model "${name}". Known models: `) &&
          error.message.includes("qwen3.7-plus"),
        name,
      );
    }
  });

  it("does not price an assumed model as the model it borrows limits from", () => {
    const prices = { "qwen3.7-plus": { currency: "USD", inputPerMillionTokens: 1, outputPerMillionTokens: 2 } };
    assert.equal(estimateCost({ model: "qwen3.7-plus-2026-05-26", inputTokens: 1000, prices }).priced, true);
    const assumed = estimateCost({ model: "qwen3.9-plus", inputTokens: 1000, prices });
    assert.equal(assumed.priced, false);
    assert.match(assumed.reason ?? "", /no entry for "qwen3\.9-plus"/);
  });
});
