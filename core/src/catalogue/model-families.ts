import type { ImageLimits, ModelFamily, VideoLimits, VideoTokenConstants } from "./model-entry.js";

/*
 * The built-in catalogue: data only, every number from Model Studio's "Image and video understanding"
 * reference. Sizes use decimal megabytes (10 MB = 10,000,000 bytes): the reference does not say which
 * megabyte it means, and the smaller reading can never send a payload the service refuses.
 *
 * Two choices where the reference is silent, both overridable with `registerModel`:
 * - maxInputTokens comes from the service's model list, not the reference page.
 * - The video calculator's per-frame constants name only Qwen3-VL-Plus (640 px, 2000 frames,
 *   131072 total), Qwen3-VL-Flash and Qwen2.5-VL (512 frames); every other family, Qwen3.5
 *   included, takes the values the reference gives "for other models" (768 px, 80 frames, 65536 total).
 */

const megabytes = (count: number): number => count * 1_000_000;
const gigabytes = (count: number): number => count * 1_000_000_000;
const minutes = (count: number): number => count * 60;

const tokenSquare32 = 32 * 32;
const tokenSquare28 = 28 * 28;

/** The limits every model shares for images given as base64 or URL. */
function imageLimits(urlMaxBytes: number): ImageLimits {
  return { urlMaxBytes, base64MaxBytes: megabytes(10), maxCountUrl: 256, maxCountBase64: 250 };
}

function videoLimits(imageListMaxFrames: number, urlMaxBytes: number, maxDurationSeconds: number): VideoLimits {
  return {
    imageListMinFrames: 4,
    imageListMaxFrames,
    urlMaxBytes,
    base64MaxBytes: megabytes(10),
    localPathMaxBytes: megabytes(100),
    minDurationSeconds: 2,
    maxDurationSeconds,
  };
}

function videoTokens(maxPixelsPerFrame: number, maxFrames: number, totalPixels: number): VideoTokenConstants {
  return { minPixelsPerFrame: 4 * tokenSquare32, maxPixelsPerFrame, maxFrames, totalPixels, defaultFps: 2 };
}

const qwen3VlPlusFrames = videoTokens(640 * tokenSquare32, 2000, 131072 * tokenSquare32);
const qwen3VlFlashFrames = videoTokens(768 * tokenSquare32, 512, 65536 * tokenSquare32);
const qwen25VlFrames = videoTokens(768 * tokenSquare32, 512, 65536 * tokenSquare32);
const otherFrames = videoTokens(768 * tokenSquare32, 80, 65536 * tokenSquare32);

const geometry32 = {
  imagePixelFactor: 32,
  videoPixelFactor: 32,
  defaultMaxPixels: 2_621_440,
  maximumMaxPixels: 16_777_216,
  highResolutionMaxPixels: 16384 * tokenSquare32,
} as const;

const geometry28 = {
  imagePixelFactor: 28,
  videoPixelFactor: 28,
  defaultMaxPixels: 1_003_520,
  maximumMaxPixels: 12_845_056,
  highResolutionMaxPixels: 16384 * tokenSquare28,
} as const;

/** qwen-vl-max and qwen-vl-plus moved to 32-pixel tokens with these snapshots (and their -latest). */
const geometry32ForQwenVl = {
  imagePixelFactor: 32,
  defaultMaxPixels: 1_310_720,
  maximumMaxPixels: 16_777_216,
  highResolutionMaxPixels: 16384 * tokenSquare32,
} as const;

/**
 * The model adapters use when the user names none: the reference's model list calls qwen3.5-plus
 * "the most powerful visual understanding model in the Qwen3.5 series" and "the top recommendation".
 */
export const defaultModel = "qwen3.5-plus";

/*
 * Structured output: every vision family that has it is `json-object`. The vendor's structured-output
 * page lists only text models for json_schema ("Only some qwen-plus models",
 * https://www.alibabacloud.com/help/en/model-studio/qwen-structured-output, Dec 15, 2025; the ja copy
 * https://www.alibabacloud.com/help/ja/doc-detail/2862209.html, Feb 17, 2026), and its json_object
 * rule covers "most Qwen models" (https://alibabacloud.com/help/en/model-studio/json-mode, Feb 04, 2026).
 * Third-party guides use json_schema with qwen3.x vision models; a family marked `json-schema` would
 * still work, because the client falls back to json_object once when the service refuses json_schema.
 */

/*
 * How boxes and points are written, from the reference's FAQ "Drawing bounding boxes": "Qwen2.5-VL:
 * Returns absolute pixel coordinates, relative to the top-left corner of the scaled image" and
 * "Qwen3-VL: Returns relative coordinates normalized to the [0, 999] range". The page names no other
 * series: Qwen3.5, Qwen3-VL's successor with the same 32-pixel geometry, answers on the same grid, and
 * QVQ, built on Qwen2.5-VL, in pixels as Qwen2.5-VL does. Each family's `localizationCoordinates`
 * says which; a model that differs can be registered with its own.
 */
export const modelFamilies: readonly ModelFamily[] = [
  {
    family: "qwen3.5-plus",
    series: "qwen3.5",
    names: ["qwen3.5-plus"],
    snapshotBases: ["qwen3.5-plus"],
    ...geometry32,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_808,
    image: imageLimits(megabytes(20)),
    video: videoLimits(8000, gigabytes(2), minutes(120)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3.5-flash",
    series: "qwen3.5",
    names: ["qwen3.5-flash"],
    snapshotBases: ["qwen3.5-flash"],
    ...geometry32,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_808,
    image: imageLimits(megabytes(20)),
    video: videoLimits(8000, gigabytes(2), minutes(120)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3.5-open-source",
    series: "qwen3.5",
    names: ["qwen3.5-397b-a17b", "qwen3.5-122b-a10b", "qwen3.5-27b", "qwen3.5-35b-a3b"],
    snapshotBases: [],
    ...geometry32,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 258_048,
    image: imageLimits(megabytes(20)),
    video: videoLimits(8000, gigabytes(2), minutes(120)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3-vl-plus",
    series: "qwen3-vl",
    names: ["qwen3-vl-plus"],
    snapshotBases: ["qwen3-vl-plus"],
    ...geometry32,
    thinking: "hybrid-off",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 258_048,
    image: imageLimits(megabytes(10)),
    video: videoLimits(2000, gigabytes(2), minutes(60)),
    videoTokens: qwen3VlPlusFrames,
  },
  {
    family: "qwen3-vl-flash",
    series: "qwen3-vl",
    names: ["qwen3-vl-flash"],
    snapshotBases: ["qwen3-vl-flash"],
    ...geometry32,
    thinking: "hybrid-off",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 258_048,
    image: imageLimits(megabytes(10)),
    video: videoLimits(2000, gigabytes(2), minutes(60)),
    videoTokens: qwen3VlFlashFrames,
  },
  {
    family: "qwen3-vl-235b-a22b-instruct",
    series: "qwen3-vl",
    names: ["qwen3-vl-235b-a22b-instruct"],
    snapshotBases: [],
    ...geometry32,
    thinking: "none",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 126_976,
    image: imageLimits(megabytes(10)),
    video: videoLimits(2000, gigabytes(2), minutes(60)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3-vl-235b-a22b-thinking",
    series: "qwen3-vl",
    names: ["qwen3-vl-235b-a22b-thinking"],
    snapshotBases: [],
    ...geometry32,
    thinking: "always",
    localizationCoordinates: "relative-1000",
    structuredOutput: "none",
    streamingOnly: false,
    maxInputTokens: 126_976,
    image: imageLimits(megabytes(10)),
    video: videoLimits(2000, gigabytes(2), minutes(60)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3-vl-open-source-instruct",
    series: "qwen3-vl",
    names: [
      "qwen3-vl-32b-instruct",
      "qwen3-vl-30b-a3b-instruct",
      "qwen3-vl-8b-instruct",
      "qwen3-vl-4b-instruct",
      "qwen3-vl-2b-instruct",
    ],
    snapshotBases: [],
    ...geometry32,
    thinking: "none",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 126_976,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(2), minutes(20)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen3-vl-open-source-thinking",
    series: "qwen3-vl",
    names: [
      "qwen3-vl-32b-thinking",
      "qwen3-vl-30b-a3b-thinking",
      "qwen3-vl-8b-thinking",
      "qwen3-vl-4b-thinking",
      "qwen3-vl-2b-thinking",
    ],
    snapshotBases: [],
    ...geometry32,
    thinking: "always",
    localizationCoordinates: "relative-1000",
    structuredOutput: "none",
    streamingOnly: false,
    maxInputTokens: 126_976,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(2), minutes(20)),
    videoTokens: otherFrames,
  },
  {
    family: "qwen-vl-max",
    series: "qwen2.5-vl",
    names: ["qwen-vl-max"],
    snapshotBases: ["qwen-vl-max"],
    ...geometry28,
    ...geometry32ForQwenVl,
    videoPixelFactor: 32,
    thinking: "none",
    localizationCoordinates: "absolute-pixels",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 129_024,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(2), minutes(20)),
    videoTokens: qwen25VlFrames,
    snapshotRules: [
      { from: "2025-08-13", before: true, changes: { ...geometry28 } },
      {
        from: "2025-04-08",
        before: true,
        changes: { video: { urlMaxBytes: gigabytes(1), maxDurationSeconds: minutes(10) } },
      },
    ],
  },
  {
    family: "qwen-vl-plus",
    series: "qwen2.5-vl",
    names: ["qwen-vl-plus"],
    snapshotBases: ["qwen-vl-plus"],
    ...geometry28,
    ...geometry32ForQwenVl,
    videoPixelFactor: 32,
    thinking: "none",
    localizationCoordinates: "absolute-pixels",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 129_024,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: qwen25VlFrames,
    snapshotRules: [
      { from: "2025-08-15", before: true, changes: { ...geometry28, videoPixelFactor: 32 } },
      { from: "2025-07-10", before: true, changes: { videoPixelFactor: 28 } },
    ],
  },
  {
    family: "qwen2.5-vl-open-source",
    series: "qwen2.5-vl",
    names: ["qwen2.5-vl-72b-instruct", "qwen2.5-vl-32b-instruct", "qwen2.5-vl-7b-instruct", "qwen2.5-vl-3b-instruct"],
    snapshotBases: [],
    ...geometry28,
    thinking: "none",
    localizationCoordinates: "absolute-pixels",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 129_024,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: qwen25VlFrames,
  },
  {
    family: "qvq",
    series: "qvq",
    names: ["qvq-max", "qvq-plus"],
    snapshotBases: ["qvq-max", "qvq-plus"],
    ...geometry28,
    thinking: "always",
    localizationCoordinates: "absolute-pixels",
    structuredOutput: "none",
    // "The QVQ series supports only streaming output", and it is thinking-only:
    // https://www.alibabacloud.com/help/en/model-studio/visual-reasoning (no date shown).
    streamingOnly: true,
    maxInputTokens: 106_496,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: otherFrames,
  },
];
