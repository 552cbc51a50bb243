import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import { ConfigurationError, InputLimitError, MediaError } from "../errors.js";
import { estimateImageListTokens } from "../estimation/image-list-tokens.js";
import { maximumVideoAspectRatio } from "../estimation/video-frame-size.js";
import { checkFps, estimateVideoTokens, minimumFps } from "../estimation/video-tokens.js";
import { dataUrlLength } from "../internal/data-url.js";
import { formatCount, formatSeconds } from "../internal/format-quantity.js";
import { convertToMp4, extractFrames, type FrameExtractionMethod } from "../internal/media-frame-extraction.js";
import { type MediaSource, readSourceHead, sourceName } from "../internal/media-source.js";
import { defaultDecodeTimeoutMilliseconds, defaultProbeTimeoutMilliseconds } from "../internal/media-tools.js";
import { type DetectedFormat, detectFormat, type VideoFormat } from "./detect-format.js";
import type { PreparedFrameList, PreparedImage, PreparedVideoFile } from "./prepared-media.js";
import { probeVideoFile, type VideoProbe } from "./probe-video.js";

export interface PrepareVideoOptions {
  model: ModelArgument;
  /** Frames per second to sample (or to ask the service to sample); the model's default (2) when absent. */
  fps?: number;
  /** A label for messages; the file's base name when the source is a path. */
  name?: string;
  /** Files smaller than this go whole as base64; the reference recommends base64 only below 7 MB. */
  base64ThresholdBytes?: number;
  /** "auto" sends small files whole and samples the rest; "file" and "frames" force one way. */
  mode?: "auto" | "file" | "frames";
  /** The most frames to sample; the model's image-list maximum when absent or higher. */
  maxFrames?: number;
  /** Sample a video longer than the model's maximum duration instead of refusing it (frames only). */
  allowLongVideo?: boolean;
  /**
   * How frames are taken from the file: "auto" (the default) seeks to each frame when they are at
   * least a keyframe interval apart, which is much faster on long videos sampled sparsely, and decodes
   * the whole file in one pass otherwise. "seek" and "single-pass" force one way; both give the same
   * frames at the same times.
   */
  frameExtraction?: FrameExtractionMethod;
  /**
   * The input tokens this video may cost (what is left of the request's budget once its text and other
   * inputs are counted); the model's whole input limit when absent. The cost is estimated from the
   * container header and checked before any frame is decoded, so a video that cannot fit is refused
   * without spending minutes of CPU on it.
   */
  maxTokens?: number;
  /**
   * The deadline of each ffmpeg or ffprobe run, after which it is killed and preparation fails with
   * code "media-timeout". Defaults: 30 s for ffprobe, 10 minutes for each ffmpeg decoding run.
   */
  mediaToolTimeoutMilliseconds?: number;
}

export const defaultBase64ThresholdBytes = 7_000_000;

/** Containers the service accepts as a video file. WebM is not among them. */
export const apiVideoFormats: readonly VideoFormat[] = ["mp4", "avi", "mkv", "mov", "flv", "wmv"];

/**
 * Prepares a video: small files in a container the service accepts are sent whole (the service
 * samples them itself); larger ones, WebM and forced "frames" become a list of JPEG frames sampled
 * on this machine at exactly the per-frame size the model would use.
 */
export async function prepareVideo(
  source: MediaSource,
  options: PrepareVideoOptions,
): Promise<PreparedVideoFile | PreparedFrameList> {
  const model = modelEntryOf(options.model);
  const input = sourceName(source, options.name, "video");
  const mode = options.mode ?? "auto";
  const fps = checkFps(options.fps ?? model.videoTokens.defaultFps);
  checkMaxFrames(model, options.maxFrames);
  for (const [setting, value] of [
    ["maxTokens", options.maxTokens],
    ["mediaToolTimeoutMilliseconds", options.mediaToolTimeoutMilliseconds],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new ConfigurationError(setting, `${setting} is ${value}; it must be a whole number above 0.`);
    }
  }
  const limits: PreparationLimits = {
    maxTokens: options.maxTokens ?? model.maxInputTokens,
    probeTimeoutMilliseconds: options.mediaToolTimeoutMilliseconds ?? defaultProbeTimeoutMilliseconds,
    decodeTimeoutMilliseconds: options.mediaToolTimeoutMilliseconds ?? defaultDecodeTimeoutMilliseconds,
  };
  let temporary: string | undefined;
  try {
    let path: string;
    if (typeof source === "string") {
      path = source;
    } else {
      // A video in memory is written to a private temporary file: ffprobe and ffmpeg need to seek in it.
      temporary = await mkdtemp(join(tmpdir(), "glance-video-"));
      path = join(temporary, "input");
      await writeFile(path, source);
    }
    const { head, size } = await readSourceHead(path, input);
    const detected = detectFormat(head, input);
    if (detected.kind !== "video") {
      throw new MediaError(
        "unsupported-media",
        input,
        `the file is a ${detected.format} image, not a video. Use prepareImage or prepareMedia for images.`,
      );
    }
    const probe = await probeVideoFile(path, input, detected.format, limits.probeTimeoutMilliseconds);
    checkVideoShape(input, probe);
    const sampleAnyway = options.allowLongVideo === true && mode !== "file";
    checkDuration(input, model, probe.durationSeconds, sampleAnyway);

    if (sendsWholeFile(model, mode, detected, size, options.base64ThresholdBytes)) {
      return await videoFile(path, input, model, detected, probe, size, fps, temporary, limits);
    }
    return await frameList(
      path,
      input,
      model,
      probe,
      size,
      fps,
      options.maxFrames,
      options.frameExtraction ?? "auto",
      limits,
    );
  } finally {
    if (temporary !== undefined) {
      await rm(temporary, { recursive: true, force: true });
    }
  }
}

/** Whether prepareVideo sends the file whole (the service samples it) rather than frames; estimates ask too. */
export function sendsWholeFile(
  model: ModelEntry,
  mode: "auto" | "file" | "frames",
  detected: DetectedFormat,
  size: number,
  base64ThresholdBytes: number | undefined,
): boolean {
  return (
    mode === "file" ||
    (mode === "auto" &&
      apiVideoFormats.includes(detected.format as VideoFormat) &&
      size < (base64ThresholdBytes ?? defaultBase64ThresholdBytes) &&
      dataUrlLength(detected.mimeType, size) < model.video.base64MaxBytes)
  );
}

export function checkMaxFrames(model: ModelEntry, maxFrames: number | undefined): void {
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= model.video.imageListMinFrames)) {
    throw new ConfigurationError(
      "maxFrames",
      `maxFrames is ${maxFrames}; it must be a whole number, at least ${model.video.imageListMinFrames}.`,
    );
  }
}

interface PreparationLimits {
  maxTokens: number;
  probeTimeoutMilliseconds: number;
  decodeTimeoutMilliseconds: number;
}

/** Refuses a video whose estimated cost (from the container header) cannot fit, before any decoding. */
function reserveTokens(input: string, model: ModelEntry, tokens: number, limits: PreparationLimits): void {
  if (tokens > limits.maxTokens) {
    throw new InputLimitError({
      limitCode: "request-tokens",
      input,
      what: "the video's estimated input tokens",
      limit:
        limits.maxTokens === model.maxInputTokens
          ? `at most ${formatCount(limits.maxTokens)} for ${model.family}`
          : `at most ${formatCount(limits.maxTokens)} (what is left of the request's budget)`,
      actual: formatCount(tokens),
      fix: "Lower the fps or the number of frames, trim the video, or send fewer other inputs with it.",
    });
  }
}

async function videoFile(
  path: string,
  input: string,
  model: ModelEntry,
  detected: DetectedFormat,
  probe: VideoProbe,
  size: number,
  fps: number,
  temporary: string | undefined,
  limits: PreparationLimits,
): Promise<PreparedVideoFile> {
  const estimate = videoFileTokens(input, model, probe, fps);
  reserveTokens(input, model, estimate.tokens, limits);
  let sendPath = path;
  let mimeType = detected.mimeType;
  let sendSize = size;
  let conversionDirectory: string | undefined;
  try {
    if (!apiVideoFormats.includes(detected.format as VideoFormat)) {
      // The service does not take this container (WebM): re-encode it as MP4 when a file is wanted.
      conversionDirectory = temporary ?? (await mkdtemp(join(tmpdir(), "glance-video-")));
      sendPath = join(conversionDirectory, "converted.mp4");
      await convertToMp4(path, sendPath, input, probe.format, limits.decodeTimeoutMilliseconds);
      mimeType = "video/mp4";
      sendSize = (await stat(sendPath)).size;
    }
    checkVideoDataUrl(input, model, mimeType, sendSize);
    return {
      kind: "video-file",
      name: input,
      mimeType,
      data: await readFile(sendPath),
      width: probe.width,
      height: probe.height,
      frameCount: probe.frameCount,
      frameRate: probe.frameRate,
      durationSeconds: probe.durationSeconds,
      fps,
      originalBytes: size,
    };
  } finally {
    if (conversionDirectory !== undefined && conversionDirectory !== temporary) {
      await rm(conversionDirectory, { recursive: true, force: true });
    }
  }
}

/**
 * How many frames to sample and at which rate. The requested rate gives duration x fps frames; when
 * that is fewer than the image-list minimum the rate is raised, and when it is more than the maximum
 * the rate is lowered, so a long video is sampled more sparsely instead of being refused.
 */
export function planFrameSampling(
  durationSeconds: number,
  fps: number,
  minimumFrames: number,
  maximumFrames: number,
): { frames: number; fps: number; fpsExpression: string } {
  const wanted = Math.max(1, Math.round(durationSeconds * fps));
  const frames = Math.min(maximumFrames, Math.max(minimumFrames, wanted));
  if (frames === wanted) {
    return { frames, fps, fpsExpression: String(fps) };
  }
  // The rate as an exact fraction (frames per duration in milliseconds), so ffmpeg gives `frames` frames.
  const milliseconds = Math.max(1, Math.round(durationSeconds * 1000));
  return { frames, fps: (frames * 1000) / milliseconds, fpsExpression: `${frames * 1000}/${milliseconds}` };
}

/** What the service will sample from a video sent whole: preparation and estimates count it the same way. */
export function videoFileTokens(input: string, model: ModelEntry, probe: VideoProbe, fps: number) {
  return estimateVideoTokens(
    {
      model,
      width: probe.width,
      height: probe.height,
      frameCount: probe.frameCount,
      frameRate: probe.frameRate,
      fps,
    },
    input,
  );
}

/** A video sent whole must fit the service's base64 data URL limit. */
export function checkVideoDataUrl(input: string, model: ModelEntry, mimeType: string, size: number): void {
  const length = dataUrlLength(mimeType, size);
  if (length >= model.video.base64MaxBytes) {
    throw new InputLimitError({
      limitCode: "video-base64-size",
      input,
      what: "the base64 video data URL length",
      limit: `less than ${model.video.base64MaxBytes} characters`,
      actual: `${length} characters (a ${(size / 1_000_000).toFixed(1)} MB file)`,
      fix: 'Use mode "frames" (or "auto") to sample frames locally, or compress the video.',
    });
  }
}

/**
 * The frames a frame list will hold and their size, from the header's numbers: preparation samples
 * exactly these, and estimates count them.
 */
export function planFrameList(
  input: string,
  model: ModelEntry,
  probe: VideoProbe,
  requestedFps: number,
  maxFrames: number | undefined,
) {
  const maximumFrames = Math.min(model.video.imageListMaxFrames, maxFrames ?? Number.POSITIVE_INFINITY);
  const plan = planFrameSampling(probe.durationSeconds, requestedFps, model.video.imageListMinFrames, maximumFrames);
  if (plan.fps < minimumFps) {
    // The frames would be further apart than the service lets a frame list say (fps >= 0.1), so the
    // model would be told the wrong times. Refuse here, with the numbers, rather than at request time.
    const longest = Math.floor(maximumFrames / minimumFps);
    throw new InputLimitError({
      limitCode: "frame-list-duration",
      input,
      what: "the video duration for a frame list",
      limit: `at most ${formatSeconds(longest)} (${maximumFrames} frames at the minimum ${minimumFps} fps)`,
      actual: formatSeconds(Math.round(probe.durationSeconds)),
      fix: "Trim the video, split it into parts, or allow more frames.",
    });
  }
  const frameSize = estimateImageListTokens(
    { model, width: probe.width, height: probe.height, frames: plan.frames },
    input,
  );
  return { plan, frameSize };
}

async function frameList(
  path: string,
  input: string,
  model: ModelEntry,
  probe: VideoProbe,
  size: number,
  requestedFps: number,
  maxFrames: number | undefined,
  method: FrameExtractionMethod,
  limits: PreparationLimits,
): Promise<PreparedFrameList> {
  const planned = planFrameList(input, model, probe, requestedFps, maxFrames);
  const { plan } = planned;
  let { frameSize } = planned;
  // The budget is reserved from the header's numbers before ffmpeg decodes anything.
  reserveTokens(input, model, frameSize.tokens, limits);
  const extraction = await extractFrames(path, input, {
    fpsExpression: plan.fpsExpression,
    fps: plan.fps,
    method,
    width: frameSize.width,
    height: frameSize.height,
    maximumFrames: plan.frames,
    format: probe.format,
    probeTimeoutMilliseconds: limits.probeTimeoutMilliseconds,
    decodeTimeoutMilliseconds: limits.decodeTimeoutMilliseconds,
  });
  const { frames } = extraction;
  if (frames.length < model.video.imageListMinFrames) {
    throw new InputLimitError({
      limitCode: "frame-count",
      input,
      what: "the number of frames that could be sampled",
      limit: `at least ${model.video.imageListMinFrames}`,
      actual: `${frames.length}`,
      fix: "Use a longer video or a higher fps.",
    });
  }
  if (frames.length !== plan.frames) {
    // ffmpeg's rounding at the end of the file gave one frame fewer; the size depends on the count.
    const corrected = estimateImageListTokens(
      { model, width: probe.width, height: probe.height, frames: frames.length },
      input,
    );
    if (corrected.width !== frameSize.width || corrected.height !== frameSize.height) {
      throw new MediaError(
        "media-tool",
        input,
        `ffmpeg produced ${frames.length} frames where ${plan.frames} were planned, which changes the frame size. Try another fps.`,
      );
    }
    frameSize = corrected;
  }
  const prepared: PreparedImage[] = frames.map((data, index) => ({
    kind: "image",
    name: `${input} frame ${index + 1}`,
    mimeType: "image/jpeg",
    data,
    width: frameSize.width,
    height: frameSize.height,
    originalWidth: probe.width,
    originalHeight: probe.height,
    originalFormat: "jpeg",
    originalBytes: data.length,
  }));
  return {
    kind: "frame-list",
    name: input,
    frames: prepared,
    fps: plan.fps,
    // Rounded to milliseconds: 1199.4, not 1199.3999999999999.
    timestampsSeconds: prepared.map((_, index) => Math.round((index / plan.fps) * 1000) / 1000),
    durationSeconds: probe.durationSeconds,
    width: frameSize.width,
    height: frameSize.height,
    originalWidth: probe.width,
    originalHeight: probe.height,
    originalBytes: size,
    frameExtraction: extraction.method,
  };
}

export function checkVideoShape(input: string, probe: VideoProbe): void {
  const ratio = Math.max(probe.width, probe.height) / Math.min(probe.width, probe.height);
  if (ratio > maximumVideoAspectRatio) {
    throw new InputLimitError({
      limitCode: "video-aspect-ratio",
      input,
      what: "the frame aspect ratio (long side : short side)",
      limit: `at most ${maximumVideoAspectRatio}:1`,
      actual: `${ratio.toFixed(2)}:1 (${probe.width}x${probe.height})`,
      fix: "Crop the video to a less elongated frame.",
    });
  }
}

export function checkDuration(input: string, model: ModelEntry, durationSeconds: number, sampleAnyway: boolean): void {
  const { minDurationSeconds, maxDurationSeconds } = model.video;
  if (durationSeconds < minDurationSeconds) {
    throw new InputLimitError({
      limitCode: "video-minimum-duration",
      input,
      what: "the video duration",
      limit: `at least ${minDurationSeconds} s for ${model.family}`,
      actual: `${durationSeconds.toFixed(2)} s`,
      fix: "Use a longer clip, or send a few of its frames as images instead.",
    });
  }
  if (durationSeconds > maxDurationSeconds && !sampleAnyway) {
    throw new InputLimitError({
      limitCode: "video-maximum-duration",
      input,
      what: "the video duration",
      limit: `at most ${maxDurationSeconds} s for ${model.family}`,
      actual: `${durationSeconds.toFixed(2)} s`,
      fix: 'Trim it, or summarise a sampled version with mode "frames" and allowLongVideo: true.',
    });
  }
}
