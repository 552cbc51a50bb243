/**
 * @glance/core: Qwen vision-language models on Alibaba Cloud Model Studio.
 * This file is the package's only entry point; everything a caller may use is exported here.
 */

// Model catalogue.
export type { ModelArgument } from "./catalogue/model-argument.js";
export { modelEntryOf } from "./catalogue/model-argument.js";
export { defaultCatalogue, ModelCatalogue, type ResolvedModel } from "./catalogue/model-catalogue.js";
export type {
  ImageLimits,
  ModelEntry,
  ModelFamily,
  ModelSeries,
  SnapshotRule,
  ThinkingMode,
  VideoLimits,
  VideoTokenConstants,
} from "./catalogue/model-entry.js";
export { modelFamilies } from "./catalogue/model-families.js";
// Errors: the one error family.
export {
  AbortedError,
  ApiError,
  type ApiErrorDetails,
  ConfigurationError,
  ConnectionError,
  GlanceError,
  type GlanceErrorCode,
  type InputLimitDetails,
  InputLimitError,
  isGlanceError,
  MediaError,
  ResponseValidationError,
  TimeoutError,
} from "./errors.js";

// Token estimation.
export {
  estimateImageListTokens,
  type ImageListTokenEstimate,
  type ImageListTokenInput,
} from "./estimation/image-list-tokens.js";
export {
  estimateImageTokens,
  type ImageTokenEstimate,
  type ImageTokenInput,
  visionMarkerTokens,
} from "./estimation/image-tokens.js";
export {
  estimateVideoTokens,
  maximumFps,
  minimumFps,
  sampledFrameCount,
  type VideoTokenEstimate,
  type VideoTokenInput,
} from "./estimation/video-tokens.js";

// Media preparation.
export type { PreparedFrameList, PreparedImage, PreparedMedia, PreparedVideoFile } from "./media/prepared-media.js";
// <media exports>

// Text tokens, whole-request estimates and cost.
// <text and cost exports>

// Request building.
// <request exports>

// API client.
// <client exports>

// Localization.
// <localization exports>
