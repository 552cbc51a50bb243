/** What Glance knows about one Qwen vision model: its pixel geometry, its limits and its features. */

export type ModelSeries = "qwen3.7" | "qwen3.6" | "qwen3.5" | "qwen3-vl" | "qwen2.5-vl" | "qvq";

/**
 * How a model thinks:
 * - `hybrid-on` / `hybrid-off`: `enable_thinking` switches it, default on / off;
 * - `always`: a dedicated reasoning model, thinking cannot be disabled;
 * - `none`: no thinking mode.
 */
export type ThinkingMode = "hybrid-on" | "hybrid-off" | "always" | "none";

/**
 * How a model takes a JSON answer, always with thinking off:
 * - `json-schema`: `response_format: {type: "json_schema"}`, the service enforces the schema;
 * - `json-object`: `response_format: {type: "json_object"}`, valid JSON only; the schema goes into the
 *   prompt, and the messages must contain the word "JSON";
 * - `none`: no structured output; ask for JSON in the prompt and validate the answer.
 */
export type StructuredOutputMode = "json-schema" | "json-object" | "none";

/**
 * The coordinate system of the boxes and points a model writes when it localizes something:
 * - `relative-1000`: a 0..999 grid over the image, whatever its size (x / 1000 of the width);
 * - `absolute-pixels`: pixels of the scaled image the model was shown, origin at the top left.
 */
export type LocalizationCoordinates = "relative-1000" | "absolute-pixels";

export interface ImageLimits {
  /** Bytes of one image passed as a public URL. */
  urlMaxBytes: number;
  /** Characters of one base64 data URL payload. */
  base64MaxBytes: number;
  /** Images in one request when passed as URLs. */
  maxCountUrl: number;
  /** Images in one request when passed as base64. */
  maxCountBase64: number;
}

export interface VideoLimits {
  /** Frames of a video sent as a list of images. */
  imageListMinFrames: number;
  imageListMaxFrames: number;
  /** Bytes of a video file passed as a public URL. */
  urlMaxBytes: number;
  /** Characters of a base64 video payload (the service requires strictly less). */
  base64MaxBytes: number;
  /** Bytes of a video file passed by local path (DashScope SDK only; kept for completeness). */
  localPathMaxBytes: number;
  minDurationSeconds: number;
  maxDurationSeconds: number;
}

/** The per-frame constants of the service's video token calculator. */
export interface VideoTokenConstants {
  /** VIDEO_MIN_PIXELS: the least pixels one sampled frame is scaled up to. */
  minPixelsPerFrame: number;
  /** VIDEO_MAX_PIXELS: the most pixels one sampled frame is scaled down to. */
  maxPixelsPerFrame: number;
  /** FPS_MAX_FRAMES: the most frames sampled from a video file. */
  maxFrames: number;
  /** VIDEO_TOTAL_PIXELS: the pixel budget shared by all frames of one video. */
  totalPixels: number;
  /** FPS: the sampling rate used when a request gives none. */
  defaultFps: number;
}

export interface ModelEntry {
  /** The family this name belongs to, such as "qwen3-vl-plus". */
  family: string;
  series: ModelSeries;
  /** Side in pixels of the square one visual token covers in an image (32 or 28). */
  imagePixelFactor: number;
  /** The same for video frames; differs from images for a few dated snapshots. */
  videoPixelFactor: number;
  /** `min_pixels`: the least pixels an image is scaled up to. */
  minPixels: number;
  /** `max_pixels` when the request sets none. */
  defaultMaxPixels: number;
  /** The largest `max_pixels` the model accepts. */
  maximumMaxPixels: number;
  /** The fixed pixel cap used when `vl_high_resolution_images` is true (16384 tokens). */
  highResolutionMaxPixels: number;
  thinking: ThinkingMode;
  /** How the model's boxes and points are written; core maps them to original-image pixels by this. */
  localizationCoordinates: LocalizationCoordinates;
  /**
   * How the model gives JSON answers, always with thinking disabled: `json-schema` (response_format
   * json_schema, the service enforces the schema), `json-object` (response_format json_object, the
   * schema goes into the prompt), or `none`.
   */
  structuredOutput: StructuredOutputMode;
  /** The service refuses non-streaming calls to this model; core then streams and collects the answer. */
  streamingOnly: boolean;
  /** Input tokens (text + images + video) one request may carry. */
  maxInputTokens: number;
  /**
   * Output tokens one answer may have (reasoning included under `max_completion_tokens`); undefined
   * where no source gives the number for this model.
   */
  maxOutputTokens: number | undefined;
  image: ImageLimits;
  video: VideoLimits;
  videoTokens: VideoTokenConstants;
}

/**
 * A family as the catalogue stores it: exact names, plus rules for dated snapshots
 * (`<base>-YYYY-MM-DD`) and `-latest` aliases that change part of the entry.
 */
export interface ModelFamily extends ModelEntry {
  /** Names that resolve to this family exactly, stable names first. */
  names: readonly string[];
  /** Bases whose `-latest` and `-YYYY-MM-DD` snapshots belong to this family. */
  snapshotBases: readonly string[];
  /** Changes for snapshots, applied in order when a snapshot's date is at or after `from`. */
  snapshotRules?: readonly SnapshotRule[];
  /**
   * Suffixes of regional deployments the vendor documents for this family, such as "-us" (Virginia):
   * `<name>-us` and `<snapshot>-us` then resolve to the same entry without an assumption.
   */
  regionSuffixes?: readonly string[];
}

export interface SnapshotRule {
  /** ISO date; `-latest` counts as later than every date. */
  from: string;
  /** Applies to snapshots before `from` instead of at or after it. */
  before?: boolean;
  changes: Partial<
    Pick<
      ModelEntry,
      | "imagePixelFactor"
      | "videoPixelFactor"
      | "minPixels"
      | "defaultMaxPixels"
      | "maximumMaxPixels"
      | "highResolutionMaxPixels"
      | "maxInputTokens"
      | "maxOutputTokens"
      | "localizationCoordinates"
    >
  > & {
    video?: Partial<VideoLimits>;
  };
}
