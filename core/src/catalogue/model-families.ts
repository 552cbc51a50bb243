import type { ImageLimits, ModelFamily, VideoLimits, VideoTokenConstants } from "./model-entry.js";

/*
 * The built-in catalogue: data only. The Qwen3.5, Qwen3-VL, Qwen2.5-VL and QVQ numbers come from Model
 * Studio's "Image and video understanding" reference (https://www.alibabacloud.com/help/en/model-studio/vision,
 * Last Updated Mar 26, 2026; kept in shared/reference); the families added later cite their own
 * sources next to each number, and mark INFERRED what no source states. Sizes use decimal megabytes
 * (10 MB = 10,000,000 bytes): the reference does not say which megabyte it means, and the smaller
 * reading can never send a payload the service refuses.
 *
 * Choices where the reference is silent, all overridable with `ModelCatalogue.register`:
 * - maxInputTokens comes from the service's model list, not the reference page; for hybrid models it
 *   is the non-thinking limit (the thinking one is about 8K lower).
 * - The video calculator's per-frame constants name only Qwen3-VL-Plus (640 px, 2000 frames,
 *   131072 total), Qwen3-VL-Flash and Qwen2.5-VL (512 frames); every other family, Qwen3.5, 3.6 and 3.7
 *   included, takes the values the reference gives "for other models" (768 px, 80 frames, 65536 total).
 *   TODO: the DashScope API reference (zh, V-copy, no date shown, see model-facts.md §0) gives
 *   Qwen3.5/3.6/3.7 a per-frame default of 655,360 px, 8,000 frames and 819,200,000 total pixels; the
 *   calculator's vectors test the constants above, so they stay until the live service is measured.
 * - structuredOutput is "json-object" for every vision model that has a non-thinking mode: the vendor's
 *   structured-output page lists no vision model for json_schema (https://www.alibabacloud.com/help/en/model-studio/qwen-structured-output,
 *   Dec 15, 2025 and Feb 18, 2026), while a vendor-adjacent guide uses json_schema with Qwen3.6+/Qwen3-VL
 *   (3P skill "qwencloud-vision", validity 2026-08). Sources disagree, so the cautious mode; a model
 *   that does take json_schema can be registered with "json-schema".
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

/*
 * minPixels is the reference calculator's `min_pixels = 4 * factor * factor` (4,096 at 32 px, 3,136 at 28 px).
 * TODO(min_pixels): the DashScope API reference (zh), read through a public copy with no date shown
 * (https://help.aliyun.com/zh/model-studio/qwen-api-via-dashscope, URL INFERRED; model-facts.md §0),
 * says the image min_pixels default and minimum for Qwen3.7/3.6/3.5/Qwen3-VL is 65,536 (4,096 for
 * qwen-vl-max/plus-0813/0815/0710, 3,136 for the 28-pixel models). The vendor's own calculator (reference,
 * Mar 26, 2026) still uses 4,096, and the exact test vectors come from that calculator. Until the live
 * service is measured, images under 65,536 pixels (256x256) may cost up to about 60 tokens more on those
 * families than estimated here; switching is this one value in geometry32.
 */
const geometry32 = {
  imagePixelFactor: 32,
  videoPixelFactor: 32,
  minPixels: 4 * tokenSquare32,
  defaultMaxPixels: 2_621_440,
  maximumMaxPixels: 16_777_216,
  highResolutionMaxPixels: 16384 * tokenSquare32,
} as const;

const geometry28 = {
  imagePixelFactor: 28,
  videoPixelFactor: 28,
  minPixels: 4 * tokenSquare28,
  defaultMaxPixels: 1_003_520,
  maximumMaxPixels: 12_845_056,
  highResolutionMaxPixels: 16384 * tokenSquare28,
} as const;

/** qwen-vl-max and qwen-vl-plus moved to 32-pixel tokens with these snapshots (and their -latest). */
const geometry32ForQwenVl = {
  imagePixelFactor: 32,
  minPixels: 4 * tokenSquare32,
  defaultMaxPixels: 1_310_720,
  maximumMaxPixels: 16_777_216,
  highResolutionMaxPixels: 16384 * tokenSquare32,
} as const;

/*
 * Qwen3.6 and Qwen3.7 share the Qwen3.5/Qwen3-VL image rules: 32x32 px per token, max_pixels default
 * 2,621,440 and maximum 16,777,216, a fixed 16,777,216 with vl_high_resolution_images. Source: the
 * DashScope API reference (zh, V-copy, no date shown; model-facts.md §0, §3a). Images by URL up to
 * 20 MB as for Qwen3.5 (3P skill "qwencloud-vision", validity 2026-08; INFERRED from the grouping with
 * Qwen3.5). Video: 8,000 frames (same API reference), up to 2 h (same 3P skill), 2 GB by URL (INFERRED
 * from Qwen3.5).
 */
const qwen36And37Media = {
  ...geometry32,
  image: imageLimits(megabytes(20)),
  video: videoLimits(8000, gigabytes(2), minutes(120)),
  videoTokens: otherFrames,
} as const;

/*
 * Qwen-OCR. qwen-vl-ocr-2025-11-20 ("based on the Qwen3-VL architecture"): context 38,192, max input
 * 30,000 ("Max per image: 30,000"), output 8,192. Source: https://www.alibabacloud.com/help/en/model-studio/qwen-vl-ocr,
 * Last Updated Feb 04, 2026. Its pixels: 32x32 per token, min_pixels default 3,072 (32*32*3), max_pixels
 * default 8,388,608 (32*32*8192). Sources: https://docs.qwencloud.com/developer-guides/multimodal/ocr
 * as quoted by the 3P skill "qwencloud-vision" (validity 2026-03), and the vendor example at
 * https://platform.qianwenai.com/docs/developer-guides/text-generation/partial-mode (no date shown),
 * which passes min_pixels 3072 and max_pixels 8388608 to qwen-vl-ocr-2025-11-20.
 * INFERRED: the largest max_pixels is 30,000 tokens' worth (the per-image maximum), and
 * vl_high_resolution_images, which the OCR page does not mention, caps as Qwen3-VL does (16,384 tokens).
 * No structured output: the console's model card says structured_output false (3P mirror of the
 * console JSON, http://47.109.151.80:15030/Maas2-group/Maas-Model-platform/raw/master/backend/parsed_json/qwen-vl-ocr.json).
 * The OCR models read images; the video numbers below are Qwen2.5-VL's and only keep the entry whole.
 */
const ocrQwen3VlGeometry = {
  imagePixelFactor: 32,
  videoPixelFactor: 32,
  minPixels: 3 * tokenSquare32,
  defaultMaxPixels: 8192 * tokenSquare32,
  maximumMaxPixels: 30_000 * tokenSquare32,
  highResolutionMaxPixels: 16384 * tokenSquare32,
  localizationCoordinates: "relative-1000",
  maxInputTokens: 30_000,
  maxOutputTokens: 8_192,
} as const;

/*
 * The older OCR snapshots (2025-08-28, 2025-04-13, 2024-10-28), and the stable qwen-vl-ocr, cautiously:
 * the Nov 28, 2025 edition of the same OCR page gives stable qwen-vl-ocr 34,096 context and 4,096
 * output, matching qwen-vl-ocr-2025-08-28 in Beijing, and the global page
 * https://www.alibabacloud.com/help/en/doc-detail/2860683.html (no date shown) still lists 34,096,
 * while the Feb 04, 2026 edition says stable matches 2025-11-20. Sources disagree and the catalogue
 * does not know the region, so stable qwen-vl-ocr takes the older values: 4,096 output, 30,000 input,
 * 28-pixel tokens. Pin qwen-vl-ocr-2025-11-20 for the newer model.
 * INFERRED: 28 px per token, as the earlier snapshots are Qwen2.5-VL based (the vendor describes only
 * 2025-11-20 as Qwen3-VL based), hence absolute-pixel boxes, min_pixels 3,136 (the API reference's value
 * for the 28-pixel models) and a default of 8,192 tokens' worth of pixels as for 2025-11-20.
 */
const ocrQwen25VlGeometry = {
  imagePixelFactor: 28,
  videoPixelFactor: 28,
  minPixels: 4 * tokenSquare28,
  defaultMaxPixels: 8192 * tokenSquare28,
  maximumMaxPixels: 30_000 * tokenSquare28,
  highResolutionMaxPixels: 16384 * tokenSquare28,
  localizationCoordinates: "absolute-pixels",
  maxInputTokens: 30_000,
  maxOutputTokens: 4_096,
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
 * series: Qwen3.5, 3.6 and 3.7, Qwen3-VL's successors with the same 32-pixel geometry, answer on the
 * same grid (INFERRED), and QVQ, built on Qwen2.5-VL, in pixels as Qwen2.5-VL does. Each family's
 * `localizationCoordinates` says which; a model that differs can be registered with its own.
 *
 * Thinking defaults: Qwen3.5 and Qwen3.6 think unless told not to, Qwen3-VL does not (V
 * https://help.aliyun.com/en/model-studio/visual-reasoning, no date shown, and the reference).
 * streamingOnly: "The QVQ series supports only streaming output" (V https://www.alibabacloud.com/help/en/model-studio/visual-reasoning
 * and /qvq, no date shown).
 *
 * Newest first: the order of `knownNames()` in messages.
 */
export const modelFamilies: readonly ModelFamily[] = [
  {
    /*
     * qwen3.7-plus (= qwen3.7-plus-2026-05-26): context 1,000,000, input 991,808 (983,616 thinking).
     * Snapshot name and hybrid thinking: V https://help.aliyun.com/en/model-studio/visual-reasoning (no
     * date shown); default on: 3P skill "qwencloud-vision" (validity 2026-08), INFERRED for the vendor.
     * Output: 131,072 (3P summary of the vendor's model page "last updated 2026-09-28") vs 64,000 (3P
     * Vercel AI Gateway) vs 65,536 (3P Token Plan notes): sources disagree, the cautious 64,000.
     */
    family: "qwen3.7-plus",
    series: "qwen3.7",
    names: ["qwen3.7-plus"],
    snapshotBases: ["qwen3.7-plus"],
    ...qwen36And37Media,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_808,
    maxOutputTokens: 64_000,
  },
  {
    /*
     * qwen3.7-flash (snapshot qwen3.7-flash-2026-07-15, named in the DashScope API reference V-copy):
     * context 1,000,000, output 65,536, hybrid thinking on by default. Source: the Alibaba developer
     * community article https://developer.aliyun.com/article/1752628 (no date shown) and 3P
     * https://docs.apiyi.com/models/qwen3-7-flash.md. Input 991,000 (3P models.dev), the only figure
     * seen and the lower one, so the cautious choice.
     */
    family: "qwen3.7-flash",
    series: "qwen3.7",
    names: ["qwen3.7-flash"],
    snapshotBases: ["qwen3.7-flash"],
    ...qwen36And37Media,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_000,
    maxOutputTokens: 65_536,
  },
  {
    /*
     * qwen3.6-plus (= qwen3.6-plus-2026-04-02): context 1,000,000, input 991,808 (983,616 thinking),
     * output 65,536, reasoning 81,920. Source: V-copy of https://help.aliyun.com/zh/model-studio/models
     * quoted in a public test fixture (no date shown). Hybrid thinking, on by default ("default for
     * Qwen3.6 … series"): V https://help.aliyun.com/en/model-studio/visual-reasoning (no date shown).
     */
    family: "qwen3.6-plus",
    series: "qwen3.6",
    names: ["qwen3.6-plus"],
    snapshotBases: ["qwen3.6-plus"],
    ...qwen36And37Media,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_808,
    maxOutputTokens: 65_536,
  },
  {
    /*
     * qwen3.6-flash (snapshot qwen3.6-flash-2026-04-16, V visual-reasoning page): hybrid, on by default
     * per the vendor (a 3P gateway, https://docs.anyfast.ai/guides/model-api/alibaba/qwen3.6-flash, says
     * off; the vendor wins). Input INFERRED 991,808, the 1M tier of qwen3.6-plus (not seen for flash).
     * Output: 65,536 (3P anyfast, OpenRouter) vs 32,768 (3P Token Plan note): the cautious 32,768.
     */
    family: "qwen3.6-flash",
    series: "qwen3.6",
    names: ["qwen3.6-flash"],
    snapshotBases: ["qwen3.6-flash"],
    ...qwen36And37Media,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 991_808,
    maxOutputTokens: 32_768,
  },
  {
    /*
     * qwen3.6-35b-a3b, open weights (Apache-2.0): 262,144 context natively (HF
     * https://huggingface.co/Qwen/Qwen3.6-35B-A3B, collection updated Apr 22/24, 2026); hybrid thinking
     * (V visual-reasoning page). Model Studio's input limit was not seen: INFERRED 258,048, as for the
     * Qwen3.5 open-weight models. Output 65,536 (3P OpenRouter listing).
     */
    family: "qwen3.6-35b-a3b",
    series: "qwen3.6",
    names: ["qwen3.6-35b-a3b"],
    snapshotBases: [],
    ...qwen36And37Media,
    thinking: "hybrid-on",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 258_048,
    maxOutputTokens: 65_536,
  },
  {
    /*
     * Snapshots qwen3.5-plus-2026-02-15 (V visual-reasoning page) and -2026-04-20 (3P). Output 65,536:
     * help.aliyun.com/zh/model-studio/models as quoted by a 3P audit (2026-04-24).
     */
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
    maxOutputTokens: 65_536,
    image: imageLimits(megabytes(20)),
    video: videoLimits(8000, gigabytes(2), minutes(120)),
    videoTokens: otherFrames,
  },
  {
    /* Snapshot qwen3.5-flash-2026-02-23 (V visual-reasoning page). Output INFERRED 65,536 as for plus. */
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
    maxOutputTokens: 65_536,
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
    maxOutputTokens: undefined,
    image: imageLimits(megabytes(20)),
    video: videoLimits(8000, gigabytes(2), minutes(120)),
    videoTokens: otherFrames,
  },
  {
    /*
     * Stable qwen3-vl-plus is "equivalent to snapshot qwen3-vl-plus-2025-12-19"; also
     * qwen3-vl-plus-2025-09-23. Context 262,144, output 32,768, reasoning 81,920. Source: 3P mirror of
     * the console JSON, http://47.109.151.80:15030/Maas2-group/Maas-Model-platform/raw/master/backend/parsed_json/qwen3-vl-plus.json;
     * snapshot names: V https://www.alibabacloud.com/help/en/model-studio/qwen-vl-compatible-with-openai
     * (Jan 06 / Mar 15, 2026).
     */
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
    maxOutputTokens: 32_768,
    image: imageLimits(megabytes(10)),
    video: videoLimits(2000, gigabytes(2), minutes(60)),
    videoTokens: qwen3VlPlusFrames,
  },
  {
    /*
     * qwen3-vl-flash-2025-10-15, and the US deployment's qwen3-vl-flash-us and
     * qwen3-vl-flash-2025-10-15-us (V qwen-vl-compatible-with-openai page, Jan 06 / Mar 15, 2026).
     * Output 32,768: 3P mirror of the console JSON (qwen3-vl-flash.json).
     */
    family: "qwen3-vl-flash",
    series: "qwen3-vl",
    names: ["qwen3-vl-flash"],
    snapshotBases: ["qwen3-vl-flash"],
    regionSuffixes: ["-us"],
    ...geometry32,
    thinking: "hybrid-off",
    localizationCoordinates: "relative-1000",
    structuredOutput: "json-object",
    streamingOnly: false,
    maxInputTokens: 258_048,
    maxOutputTokens: 32_768,
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(2), minutes(20)),
    videoTokens: otherFrames,
  },
  {
    /* Qwen-OCR on the Qwen3-VL architecture; sources above ocrQwen3VlGeometry. */
    family: "qwen-vl-ocr-2025-11-20",
    series: "qwen3-vl",
    names: ["qwen-vl-ocr-2025-11-20", "qwen-vl-ocr-1120", "qwen-vl-ocr-latest"],
    // Later dated snapshots follow the newest known one; earlier ones that are not listed below, the older model.
    snapshotBases: ["qwen-vl-ocr"],
    snapshotRules: [{ from: "2025-11-20", before: true, changes: { ...ocrQwen25VlGeometry } }],
    ...ocrQwen3VlGeometry,
    thinking: "none",
    structuredOutput: "none",
    streamingOnly: false,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: qwen25VlFrames,
  },
  {
    /* Stable qwen-vl-ocr and the older snapshots, cautiously; sources above ocrQwen25VlGeometry. */
    family: "qwen-vl-ocr",
    series: "qwen2.5-vl",
    names: ["qwen-vl-ocr", "qwen-vl-ocr-2025-08-28", "qwen-vl-ocr-2025-04-13", "qwen-vl-ocr-2024-10-28"],
    snapshotBases: [],
    ...ocrQwen25VlGeometry,
    thinking: "none",
    structuredOutput: "none",
    streamingOnly: false,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: qwen25VlFrames,
  },
  {
    // Structured output: "Supported in the stable and latest versions of qwen-vl-max and qwen-vl-plus" (reference).
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
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
    maxOutputTokens: undefined,
    image: imageLimits(megabytes(10)),
    video: videoLimits(512, gigabytes(1), minutes(10)),
    videoTokens: otherFrames,
  },
];
