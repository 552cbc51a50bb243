/**
 * The one error family of @glance/core. Every failure that reaches a caller is a GlanceError with a
 * literal `code`, so adapters (the CLI, the GitHub Action, the Slack app) can render each kind in one
 * place without parsing messages. Messages are written for people: what, the limit, the actual value,
 * and the fix.
 */
export type GlanceErrorCode =
  | "usage"
  | "configuration"
  | "input-limit"
  | "unreadable-media"
  | "unsupported-media"
  | "media-tool"
  | "media-timeout"
  | "api"
  | "rate-limited"
  | "quota-exceeded"
  | "content-inspection"
  | "connection"
  | "timeout"
  | "aborted"
  | "invalid-response"
  | "download";

export interface GlanceErrorOptions {
  cause?: unknown;
  /**
   * Part of the answer had already been handed to the caller's onAnswer/onReasoning callbacks when
   * the request failed (a stream refused or cut midway). A caller that showed that text must replace
   * it: it is not an answer.
   */
  outputDelivered?: boolean;
}

export class GlanceError extends Error {
  readonly code: GlanceErrorCode;
  /** See GlanceErrorOptions.outputDelivered; false when nothing of the answer had been delivered. */
  readonly outputDelivered: boolean;

  constructor(code: GlanceErrorCode, message: string, options?: GlanceErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GlanceError";
    this.code = code;
    this.outputDelivered = options?.outputDelivered === true;
  }
}

/**
 * A command was called wrongly: an unknown command, a missing argument, a flag that is not a number.
 * Adapters with a command line (the `glance` CLI) report it with its usage exit code, apart from bad settings.
 */
export class UsageError extends GlanceError {
  constructor(message: string) {
    super("usage", message);
    this.name = "UsageError";
  }
}

/** A setting is missing or wrong: unknown model, out-of-range option, no API key. */
export class ConfigurationError extends GlanceError {
  readonly setting: string;

  constructor(setting: string, message: string) {
    super("configuration", message);
    this.name = "ConfigurationError";
    this.setting = setting;
  }
}

/**
 * Which documented limit an input broke, for adapters to switch on (the English in `what` and `limit`
 * is for people only). Each value is thrown at one kind of check:
 * - `request-tokens`: the whole request's estimated input tokens;
 * - `image-count`, `base64-image-count`: images in one request, all of them or those sent as base64;
 * - `image-width`, `image-height`: an image side below the service's minimum;
 * - `image-aspect-ratio`, `video-aspect-ratio`: long side to short side;
 * - `image-pixel-count`: the decoded pixels, above the decompression-bomb limit;
 * - `image-base64-size`, `video-base64-size`: a base64 payload above what the service accepts;
 * - `video-minimum-duration`, `video-maximum-duration`: a video file shorter or longer than the model takes;
 * - `frame-list-duration`: a video too long to sample into a frame list even at the lowest rate;
 * - `frame-count`: frames of a frame list outside the model's range;
 * - `sampled-frame-count`: too few frames for the service to sample from a video file;
 * - `video-fps`: a sampling rate outside the accepted range.
 */
export type InputLimitCode =
  | "request-tokens"
  | "image-count"
  | "base64-image-count"
  | "image-width"
  | "image-height"
  | "image-aspect-ratio"
  | "image-pixel-count"
  | "image-base64-size"
  | "video-aspect-ratio"
  | "video-base64-size"
  | "video-minimum-duration"
  | "video-maximum-duration"
  | "frame-list-duration"
  | "frame-count"
  | "sampled-frame-count"
  | "video-fps";

export interface InputLimitDetails {
  /** Which limit was broken, as a literal adapters can switch on. */
  limitCode: InputLimitCode;
  /** Which input broke the limit: a file name, "request", "video frames"... */
  input: string;
  /** What is limited, in words: "image width", "base64 payload size". */
  what: string;
  /** The limit, already formatted for people ("at most 10 MB", "greater than 10 px"). */
  limit: string;
  /** The actual value, formatted the same way. */
  actual: string;
  /** How to get within the limit. */
  fix: string;
}

/** An input breaks one of the service's documented limits; it was caught before sending. */
export class InputLimitError extends GlanceError {
  readonly limitCode: InputLimitCode;
  readonly input: string;
  readonly what: string;
  readonly limit: string;
  readonly actual: string;
  readonly fix: string;

  constructor(details: InputLimitDetails) {
    super(
      "input-limit",
      `${details.input}: ${details.what} is ${details.actual}, but must be ${details.limit}. ${details.fix}`,
    );
    this.name = "InputLimitError";
    this.limitCode = details.limitCode;
    this.input = details.input;
    this.what = details.what;
    this.limit = details.limit;
    this.actual = details.actual;
    this.fix = details.fix;
  }
}

/** The codes a MediaError carries; "media-timeout": an ffmpeg or ffprobe run passed its deadline and was killed. */
export type MediaErrorCode = "unreadable-media" | "unsupported-media" | "media-tool" | "media-timeout";

/** A file is not what it claims to be, is truncated, or cannot be decoded. */
export class MediaError extends GlanceError {
  declare readonly code: MediaErrorCode;
  readonly input: string;

  constructor(code: MediaErrorCode, input: string, message: string, options?: { cause?: unknown }) {
    super(code, `${input}: ${message}`, options);
    this.name = "MediaError";
    this.input = input;
  }
}

export interface ApiErrorDetails {
  /** The HTTP status; 200 for an error event inside a stream that had started normally. */
  status: number | undefined;
  /** The service's own error code, such as "data_inspection_failed", "limit_requests" or "Throttling.RateQuota". */
  apiCode: string | undefined;
  requestId: string | undefined;
  /** Seconds the service asked us to wait (Retry-After), when it said. */
  retryAfterSeconds: number | undefined;
}

/** The service answered with an error status. */
export class ApiError extends GlanceError {
  readonly status: number | undefined;
  readonly apiCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: "api" | "rate-limited" | "quota-exceeded" | "content-inspection",
    message: string,
    details: ApiErrorDetails,
    options?: GlanceErrorOptions,
  ) {
    super(code, message, options);
    this.name = "ApiError";
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.requestId = details.requestId;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The service could not be reached, or a stream broke before it finished. */
export class ConnectionError extends GlanceError {
  constructor(message: string, options?: GlanceErrorOptions) {
    super("connection", message, options);
    this.name = "ConnectionError";
  }
}

/** A request took longer than its timeout. */
export class TimeoutError extends GlanceError {
  readonly timeoutMilliseconds: number;

  constructor(timeoutMilliseconds: number, options?: GlanceErrorOptions) {
    super(
      "timeout",
      `The model did not answer within ${timeoutMilliseconds / 1000} s. Raise the timeout, ask for a shorter answer, or use streaming.`,
      options,
    );
    this.name = "TimeoutError";
    this.timeoutMilliseconds = timeoutMilliseconds;
  }
}

/** The caller aborted the request. */
export class AbortedError extends GlanceError {
  constructor(options?: GlanceErrorOptions) {
    super("aborted", "The request was cancelled.", options);
    this.name = "AbortedError";
  }
}

/** The model answered, but not in the shape that was asked for (structured output). */
export class ResponseValidationError extends GlanceError {
  readonly rawText: string;

  constructor(message: string, rawText: string, options?: { cause?: unknown }) {
    super("invalid-response", message, options);
    this.name = "ResponseValidationError";
    this.rawText = rawText;
  }
}

/** Why a download of an untrusted URL stopped; each is one rule of downloadUntrusted. */
export type DownloadFailureReason =
  | "bad-url"
  | "insecure-scheme"
  | "credentials-in-url"
  | "private-address"
  | "too-many-redirects"
  | "too-large"
  | "timeout"
  | "http-status"
  | "connection"
  | "not-an-image"
  | "not-an-image-or-video";

export interface DownloadErrorDetails {
  reason: DownloadFailureReason;
  /** The caller's name for the download (a file name, an image's alt text): never the URL, which may be signed. */
  label: string;
  /** The host of the hop that failed, when there was one (a host name says nothing secret; a path or query may). */
  host: string | undefined;
  /** How many redirects had been followed when it failed. */
  redirects: number;
  /** The HTTP status of the answer that ended the download ("http-status"). */
  status?: number | undefined;
  /** The content type the server declared, when it answered. */
  contentType?: string | undefined;
  /** "too-large": the cap in bytes. */
  maxBytes?: number | undefined;
  /** "too-large": the size the server declared (content-length); undefined when the body passed the cap while it was read. */
  sizeBytes?: number | undefined;
}

/**
 * A download of a URL someone else wrote was refused or failed. Adapters render `reason` (and
 * `status`, `sizeBytes`...) in their own words; the message is already one readable line.
 */
export class DownloadError extends GlanceError {
  readonly reason: DownloadFailureReason;
  readonly label: string;
  readonly host: string | undefined;
  readonly redirects: number;
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  readonly maxBytes: number | undefined;
  readonly sizeBytes: number | undefined;

  constructor(details: DownloadErrorDetails, message: string, options?: { cause?: unknown }) {
    super("download", message, options);
    this.name = "DownloadError";
    this.reason = details.reason;
    this.label = details.label;
    this.host = details.host;
    this.redirects = details.redirects;
    this.status = details.status;
    this.contentType = details.contentType;
    this.maxBytes = details.maxBytes;
    this.sizeBytes = details.sizeBytes;
  }
}

export function isGlanceError(value: unknown): value is GlanceError {
  return value instanceof GlanceError;
}
