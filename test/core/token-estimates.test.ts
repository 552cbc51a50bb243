import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  defaultCatalogue,
  estimateImageListTokens,
  estimateImageTokens,
  estimateVideoTokens,
  InputLimitError,
  type ModelEntry,
} from "@glance/core";

/*
 * The vectors come from the vendor's own Python calculators, run by scripts/generate-token-vectors.py
 * straight out of the reference page. Every one of them must match exactly.
 */
interface FrameConstants {
  maxPixelsPerFrame: number;
  maxFrames: number;
  totalPixels: number;
}
interface ImageVector {
  factor: number;
  defaultMaxPixels: number;
  highResolutionMaxPixels: number;
  width: number;
  height: number;
  maxPixels: number | null;
  highResolution: boolean;
  tokens: number;
  scaledWidth: number;
  scaledHeight: number;
}
interface VideoVector extends FrameConstants {
  factor: number;
  width: number;
  height: number;
  frameCount: number;
  frameRate: number;
  fps: number;
  tokens?: number;
  frames?: number;
  scaledWidth?: number;
  scaledHeight?: number;
  error?: string;
}
interface ImageListVector extends FrameConstants {
  factor: number;
  width: number;
  height: number;
  frames: number;
  tokens?: number;
  scaledWidth?: number;
  scaledHeight?: number;
  error?: string;
}

const vectors = JSON.parse(readFileSync(new URL("./token-vectors.json", import.meta.url), "utf8")) as {
  images: ImageVector[];
  videos: VideoVector[];
  imageLists: ImageListVector[];
};

const base = defaultCatalogue.resolve("qwen3-vl-plus");

function modelFor(vector: { factor: number } & Partial<FrameConstants> & Partial<ImageVector>): ModelEntry {
  return {
    ...base,
    imagePixelFactor: vector.factor,
    videoPixelFactor: vector.factor,
    // The calculator's own constant (`min_pixels = 4 * 32 * 32`), whatever the catalogue carries.
    minPixels: 4 * vector.factor * vector.factor,
    defaultMaxPixels: vector.defaultMaxPixels ?? base.defaultMaxPixels,
    maximumMaxPixels: 16_777_216,
    highResolutionMaxPixels: vector.highResolutionMaxPixels ?? base.highResolutionMaxPixels,
    videoTokens: {
      ...base.videoTokens,
      maxPixelsPerFrame: vector.maxPixelsPerFrame ?? base.videoTokens.maxPixelsPerFrame,
      maxFrames: vector.maxFrames ?? base.videoTokens.maxFrames,
      totalPixels: vector.totalPixels ?? base.videoTokens.totalPixels,
    },
  };
}

describe("token estimates agree with the reference calculators", () => {
  it(`matches ${vectors.images.length} image vectors`, () => {
    assert.ok(vectors.images.length > 1000);
    for (const vector of vectors.images) {
      const estimate = estimateImageTokens({
        model: modelFor(vector),
        width: vector.width,
        height: vector.height,
        ...(vector.maxPixels === null ? {} : { maxPixels: vector.maxPixels }),
        highResolution: vector.highResolution,
      });
      assert.deepEqual(
        estimate,
        { tokens: vector.tokens, width: vector.scaledWidth, height: vector.scaledHeight },
        `image ${vector.width}x${vector.height} factor ${vector.factor} max ${vector.maxPixels} high ${vector.highResolution}`,
      );
    }
  });

  it(`matches ${vectors.videos.length} video file vectors, errors included`, () => {
    let errors = 0;
    for (const vector of vectors.videos) {
      const input = {
        model: modelFor(vector),
        width: vector.width,
        height: vector.height,
        frameCount: vector.frameCount,
        frameRate: vector.frameRate,
        fps: vector.fps,
      };
      const label = `video ${vector.width}x${vector.height} ${vector.frameCount}@${vector.frameRate} fps ${vector.fps}`;
      if (vector.error !== undefined) {
        errors += 1;
        // The reference's own error says which limit; ours carries it as a code.
        const limitCode = /aspect ratio/.test(vector.error) ? "video-aspect-ratio" : "sampled-frame-count";
        assert.throws(
          () => estimateVideoTokens(input),
          (error: unknown) => error instanceof InputLimitError && error.limitCode === limitCode,
          label,
        );
        continue;
      }
      assert.deepEqual(
        estimateVideoTokens(input),
        { tokens: vector.tokens, frames: vector.frames, width: vector.scaledWidth, height: vector.scaledHeight },
        label,
      );
    }
    assert.ok(errors > 0, "the vectors include inputs the reference refuses");
  });

  it(`matches ${vectors.imageLists.length} image list vectors`, () => {
    for (const vector of vectors.imageLists) {
      const input = { model: modelFor(vector), width: vector.width, height: vector.height, frames: vector.frames };
      const label = `list ${vector.width}x${vector.height} x${vector.frames}`;
      if (vector.error !== undefined) {
        assert.throws(
          () => estimateImageListTokens(input),
          (error: unknown) => error instanceof InputLimitError && error.limitCode === "video-aspect-ratio",
          label,
        );
        continue;
      }
      assert.deepEqual(
        estimateImageListTokens(input),
        { tokens: vector.tokens, width: vector.scaledWidth, height: vector.scaledHeight },
        label,
      );
    }
  });
});

describe("token estimates by model name", () => {
  it("rounds halves to even as Python does", () => {
    // 80 / 32 = 2.5 rounds to 2 (Python), not 3 (Math.round); 48 / 32 = 1.5 rounds to 2.
    assert.deepEqual(estimateImageTokens({ model: "qwen3-vl-plus", width: 80, height: 48 }), {
      tokens: 6,
      width: 64,
      height: 64,
    });
  });

  it("uses 28-pixel tokens for Qwen2.5-VL and old qwen-vl-max snapshots, 32 for the current ones", () => {
    const size = { width: 1000, height: 1000 };
    assert.equal(estimateImageTokens({ model: "qwen2.5-vl-72b-instruct", ...size }).width % 28, 0);
    assert.equal(estimateImageTokens({ model: "qwen-vl-max-2025-04-08", ...size }).width % 28, 0);
    assert.equal(estimateImageTokens({ model: "qwen-vl-max", ...size }).width % 32, 0);
    assert.equal(estimateImageTokens({ model: "qwen-vl-max-latest", ...size }).width % 32, 0);
  });

  it("caps a 4K screenshot at the default budget and lifts it in high-resolution mode", () => {
    const normal = estimateImageTokens({ model: "qwen3.5-plus", width: 3840, height: 2160 });
    const high = estimateImageTokens({ model: "qwen3.5-plus", width: 3840, height: 2160, highResolution: true });
    assert.ok(normal.width * normal.height <= 2_621_440);
    // 2160 / 32 = 67.5 rounds to the even 68: 120 x 68 tokens plus the two markers.
    assert.deepEqual(high, { tokens: 120 * 68 + 2, width: 3840, height: 2176 });
  });

  it("estimates Qwen-OCR with its own pixel rules", () => {
    // The reference's image calculator run with qwen-vl-ocr-2025-11-20's constants (32 px per token,
    // min_pixels 3,072, max_pixels default 8,388,608; see the catalogue for the sources).
    // 100x30 rounds to 96x32 = 3,072 pixels: at the OCR minimum, so not scaled up (qwen3-vl-plus, with
    // 4,096, scales it to 128x64, 10 tokens).
    assert.deepEqual(estimateImageTokens({ model: "qwen-vl-ocr-2025-11-20", width: 100, height: 30 }), {
      tokens: 5,
      width: 96,
      height: 32,
    });
    assert.equal(estimateImageTokens({ model: "qwen3-vl-plus", width: 100, height: 30 }).tokens, 10);
    // A 12-megapixel photo is capped at 8,192 tokens' worth of pixels, not 2,560 as on qwen3-vl-plus.
    assert.deepEqual(estimateImageTokens({ model: "qwen-vl-ocr-2025-11-20", width: 4000, height: 3000 }), {
      tokens: 8114,
      width: 3328,
      height: 2496,
    });
    assert.deepEqual(estimateImageTokens({ model: "qwen-vl-ocr-latest", width: 1240, height: 1754 }), {
      tokens: 2147,
      width: 1248,
      height: 1760,
    });
    // Stable qwen-vl-ocr takes the older snapshots' cautious 28-pixel tokens (INFERRED in the catalogue).
    assert.deepEqual(estimateImageTokens({ model: "qwen-vl-ocr", width: 1240, height: 1754 }), {
      tokens: 2774,
      width: 1232,
      height: 1764,
    });
    // Up to 30,000 tokens per image may be asked for; more is refused before anything is sent.
    assert.deepEqual(
      estimateImageTokens({ model: "qwen-vl-ocr-2025-11-20", width: 8000, height: 6000, maxPixels: 30_000 * 1024 }),
      { tokens: 30_002, width: 6400, height: 4800 },
    );
    assert.throws(
      () => estimateImageTokens({ model: "qwen-vl-ocr-2025-11-20", width: 100, height: 100, maxPixels: 40_000_000 }),
      /max_pixels is 40000000.*1 to 30720000/,
    );
  });

  it("estimates the Qwen3.6 and Qwen3.7 families with the Qwen3.5 rules", () => {
    // 1280x800 fits the 2,621,440 default as it is: 40 x 25 tokens plus the two markers.
    for (const model of ["qwen3.6-plus", "qwen3.6-flash", "qwen3.7-plus", "qwen3.7-flash-2026-07-15"]) {
      assert.deepEqual(estimateImageTokens({ model, width: 1280, height: 800 }), {
        tokens: 1002,
        width: 1280,
        height: 800,
      });
      assert.deepEqual(estimateImageTokens({ model, width: 4000, height: 3000 }), {
        tokens: 2496,
        width: 1856,
        height: 1376,
      });
    }
  });

  it("refuses a max_pixels above the model's maximum, naming the limit", () => {
    assert.throws(
      () => estimateImageTokens({ model: "qwen3-vl-plus", width: 100, height: 100, maxPixels: 20_000_000 }),
      /max_pixels is 20000000.*1 to 16777216/,
    );
  });
});
