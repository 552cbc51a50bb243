/**
 * @glance/core: Qwen vision-language models on Alibaba Cloud Model Studio.
 * This file is the package's only entry point; everything a caller may use is exported here.
 */

// Model catalogue.
export type { ModelArgument } from "./catalogue/model-argument.js";
export { modelEntryOf } from "./catalogue/model-argument.js";
export {
  defaultCatalogue,
  ModelCatalogue,
  type ResolvedModel,
  type ResolveOptions,
} from "./catalogue/model-catalogue.js";
export type {
  ImageLimits,
  LocalizationCoordinates,
  ModelEntry,
  ModelFamily,
  ModelSeries,
  SnapshotRule,
  StructuredOutputMode,
  ThinkingMode,
  VideoLimits,
  VideoTokenConstants,
} from "./catalogue/model-entry.js";
export { defaultModel, modelFamilies } from "./catalogue/model-families.js";
// Errors: the one error family.
export {
  AbortedError,
  ApiError,
  type ApiErrorDetails,
  ConfigurationError,
  ConnectionError,
  DownloadError,
  type DownloadErrorDetails,
  type DownloadFailureReason,
  GlanceError,
  type GlanceErrorCode,
  type GlanceErrorOptions,
  type InputLimitCode,
  type InputLimitDetails,
  InputLimitError,
  isGlanceError,
  MediaError,
  ResponseValidationError,
  TimeoutError,
  UsageError,
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
export {
  type DetectedFormat,
  detectFormat,
  type ImageFormat,
  supportedImageFormats,
  supportedVideoFormats,
  type VideoFormat,
} from "./media/detect-format.js";
export {
  type EstimateMediaOptions,
  estimateMedia,
  type FrameListEstimate,
  type ImageEstimate,
  type MediaEstimate,
  type VideoFileEstimate,
} from "./media/estimate-media.js";
export { type PrepareFrameListOptions, prepareFrameList } from "./media/prepare-frame-list.js";
export { type PrepareImageOptions, prepareImage } from "./media/prepare-image.js";
export { type PrepareMediaOptions, prepareMedia } from "./media/prepare-media.js";
export { type PrepareVideoOptions, prepareVideo } from "./media/prepare-video.js";
export type { PreparedFrameList, PreparedImage, PreparedMedia, PreparedVideoFile } from "./media/prepared-media.js";
export { probeVideo, type VideoProbe } from "./media/probe-video.js";
// <media exports>

// Text tokens, whole-request estimates and cost.
export { type CostEstimate, type CostInput, estimateCost } from "./estimation/cost-estimate.js";
export { type ModelPrice, type PriceTable, type PriceTier, parsePriceTable } from "./estimation/price-table.js";
export {
  chatTemplateTokens,
  countTextTokens,
  type TextTokenizerInfo,
  type TextTokenizerThread,
  textTokenizerInfo,
  warmTextTokenizer,
} from "./estimation/text-tokens.js";

// <text and cost exports>

// Request building.
export { formatBytes, formatCount, formatSeconds } from "./internal/format-quantity.js";
export { buildChatRequest } from "./request/build-chat-request.js";
export type {
  ChatRequest,
  ChatRequestInput,
  ConversationTurn,
  StructuredOutputOption,
} from "./request/chat-request.js";
export type {
  AssistantMessage,
  ChatMessage,
  ChatRequestBody,
  ContentPart,
  ImageUrlPart,
  JsonObjectResponseFormat,
  JsonSchemaResponseFormat,
  ResponseFormat,
  SystemMessage,
  TextPart,
  UserMessage,
  VideoFramesPart,
  VideoUrlPart,
} from "./request/chat-request-body.js";
export { describeRequestForDisplay } from "./request/describe-request-for-display.js";
export {
  estimateMediaRequest,
  isMediaEstimate,
  type MediaRequestEstimate,
  type MediaRequestInput,
} from "./request/estimate-media-request.js";
export {
  type EstimatedChatRequest,
  estimateRequest,
  type InputTokenEstimate,
  type RequestEstimate,
} from "./request/estimate-request.js";
export { checkStructuredAnswers } from "./request/structured-output-format.js";
export type {
  RemoteFrameListInput,
  RemoteImageInput,
  RemoteInput,
  RemoteVideoInput,
  VisualInput,
} from "./request/visual-input.js";
// <request exports>

// API client.
export type { Completion, CompletionUsage } from "./client/completion.js";
export {
  type CompleteOptions,
  createGlanceClient,
  type GlanceClient,
  type GlanceClientOptions,
  type GlanceLogger,
  type SendableRequest,
  type StructuredCompletion,
} from "./client/glance-client.js";
export {
  defaultBaseUrl,
  defaultRegion,
  isRegionName,
  type RegionName,
  regionBaseUrls,
  regionNames,
  resolveBaseUrl,
} from "./client/region-base-urls.js";
export {
  findJson,
  parseStructuredAnswer,
  type StructuredParse,
  type ValidatedItems,
  validateItems,
} from "./client/structured-answer.js";
// <client exports>

// Localization.
export {
  type DrawLocalizationOptions,
  drawLocalizations,
  localizationOverlay,
} from "./localization/draw-localizations.js";
export {
  type LocalizationFrame,
  type LocalizationImage,
  localizationFrameOf,
  mapBoxToOriginal,
  mapPointToOriginal,
} from "./localization/localization-frame.js";
export type { Localizations, LocalizedBox, LocalizedPoint } from "./localization/localizations.js";
export { parseLocalizations } from "./localization/parse-localizations.js";

// <localization exports>

// Network safety for adapters that download user-supplied URLs.
export {
  type CredentialScope,
  type DestinationRules,
  type DownloadCredentials,
  type DownloadExpectation,
  type DownloadedFile,
  type DownloadUntrustedOptions,
  defaultDestinationRules,
  downloadUntrusted,
  maxDownloadRedirects,
} from "./network/download-untrusted.js";
export { isNonPublicAddress } from "./network/public-address.js";
// Task prompts shared by the adapters.
export {
  boxCoordinatesInstruction,
  describePrompt,
  fieldsPrompt,
  locatePrompt,
  ocrPrompt,
} from "./prompts/task-prompts.js";
