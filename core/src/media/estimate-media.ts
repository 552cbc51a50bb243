import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Metadata } from "sharp";
import { modelEntryOf } from "../catalogue/model-argument.js";
import { MediaError } from "../errors.js";
import { estimateImageTokens } from "../estimation/image-tokens.js";
import { checkFps } from "../estimation/video-tokens.js";
import { type ByteReader, bufferReader, closeFileReader, openFileReader } from "../internal/media-byte-reader.js";
import {
  bmpHeaderSize,
  checkBombFromHeader,
  decodingError,
  defaultMaxInputPixels,
  readSharpHeader,
} from "../internal/media-image-decoding.js";
import { passThroughMimeType } from "../internal/media-image-passthrough.js";
import { type MediaSource, readSource, sourceName } from "../internal/media-source.js";
import { checkImageStructure } from "../internal/media-structure.js";
import {
  type DetectedFormat,
  detectFormat,
  formatSniffBytes,
  type ImageFormat,
  type VideoFormat,
} from "./detect-format.js";
import { checkImageShape } from "./image-shape.js";
import type { PrepareMediaOptions } from "./prepare-media.js";
import {
  apiVideoFormats,
  checkDuration,
  checkMaxFrames,
  checkVideoDataUrl,
  checkVideoShape,
  planFrameList,
  sendsWholeFile,
  videoFileTokens,
} from "./prepare-video.js";
import { probeVideo } from "./probe-video.js";

/*
 * Token estimates from headers. An estimate answers "what will this cost?" for the CLI's estimate and
 * dry runs, the action's plan and the bot's budget, before anything is prepared; it reads what the
 * count needs (the size after EXIF orientation, for video the container's header via ffprobe) and
 * never decodes a pixel. The numbers are exactly those of preparing the same file with the same
 * options: both read the size with the same header call and feed it to the same token maths.
 */

/** The options of prepareMedia; estimation uses the ones the count depends on and ignores the rest. */
export type EstimateMediaOptions = PrepareMediaOptions;

/** What an image will cost, as prepareImage would send it. */
export interface ImageEstimate {
  kind: "image";
  name: string;
  /** The format detected from the bytes. */
  format: ImageFormat;
  /** Tokens of this image in a request, the two vision markers included. */
  tokens: number;
  /** What the model will see (the prepared image's width and height). */
  width: number;
  height: number;
  /** The source's size after EXIF orientation. */
  originalWidth: number;
  originalHeight: number;
  originalBytes: number;
  /**
   * True when prepareImage with `keepOriginalWhenAccepted` sends the original bytes untouched (a PNG or
   * JPEG the service takes as it is, decided from the header); false when it decodes and re-encodes.
   */
  sentAsItIs: boolean;
  /** Frames an animation declares (only the first is sent); 1 for a still image; undefined when the format does not say cheaply. */
  frames: number | undefined;
}

/** A video prepareVideo would send whole; the service samples it. */
export interface VideoFileEstimate {
  kind: "video-file";
  name: string;
  format: VideoFormat;
  tokens: number;
  /** The file's displayed frame size. */
  width: number;
  height: number;
  frameCount: number;
  frameRate: number;
  durationSeconds: number;
  /** The sampling rate asked of the service. */
  fps: number;
  /** Frames the service will sample, and the size it scales each to. */
  sampledFrames: number;
  sampledWidth: number;
  sampledHeight: number;
  originalBytes: number;
}

/** A video prepareVideo would sample into frames here. */
export interface FrameListEstimate {
  kind: "frame-list";
  name: string;
  format: VideoFormat;
  tokens: number;
  /**
   * Frames planned. ffmpeg's rounding at the very end of a file may give one fewer when the frames
   * are extracted; preparation then counts what it got, so the estimate never falls short.
   */
  frames: number;
  fps: number;
  durationSeconds: number;
  /** Each frame's size as the model sees it. */
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  originalBytes: number;
}

export type MediaEstimate = ImageEstimate | VideoFileEstimate | FrameListEstimate;

/**
 * The tokens an image or video will cost, read from its header: the same count, size and refusals
 * (unreadable, truncated, too many pixels, wrong shape, too long) as prepareMedia with the same
 * options, without decoding. Truncated or damaged files are caught by structural checks (every
 * chunk, box or segment fits in the file; the end marker is present), not by the decoder, so a file
 * whose compressed data is corrupt inside an intact container is refused only when prepared.
 */
export async function estimateMedia(source: MediaSource, options: EstimateMediaOptions): Promise<MediaEstimate> {
  const input = sourceName(source, options.name, "file");
  if (typeof source !== "string") {
    const reader = bufferReader(source);
    const detected = detectFormat(source.subarray(0, formatSniffBytes), input);
    return detected.kind === "image"
      ? estimateImageOf(source, reader, detected.format, input, options)
      : estimateVideoOf(source, detected, input, options, source.length);
  }
  // A path is read where the walk needs it (a few bytes per chunk header), never whole.
  const reader = openFileReader(source, input);
  let detected: DetectedFormat;
  try {
    detected = detectFormat(reader.slice(0, Math.min(formatSniffBytes, reader.length)), input);
    if (detected.kind === "image") {
      return await estimateImageOf(source, reader, detected.format, input, options);
    }
  } finally {
    closeFileReader(reader);
  }
  return estimateVideoOf(source, detected, input, options, reader.length);
}

async function estimateImageOf(
  source: MediaSource,
  bytes: ByteReader,
  format: ImageFormat,
  input: string,
  options: EstimateMediaOptions,
): Promise<ImageEstimate> {
  const model = modelEntryOf(options.model);
  const maxInputPixels = options.maxInputPixels ?? defaultMaxInputPixels;
  if (format === "bmp") {
    // As preparation does: a BMP bomb is refused by the pixel limit its header names, before the walk.
    checkBombFromHeader(input, bmpHeaderSize(bytes, input), maxInputPixels);
  }
  const structure = checkImageStructure(bytes, format, input);
  const size = await orientedSize(source, bytes, format, input, maxInputPixels);
  checkImageShape(input, size.width, size.height);
  const target = estimateImageTokens({
    model,
    width: size.width,
    height: size.height,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution === undefined ? {} : { highResolution: options.highResolution }),
  });
  const sentAsItIs =
    options.keepOriginalWhenAccepted === true &&
    passThroughMimeType({
      format,
      header: size.metadata,
      bytes,
      base64MaxBytes: model.image.base64MaxBytes,
      maxInputPixels,
    }) !== undefined;
  return {
    kind: "image",
    name: input,
    format,
    tokens: target.tokens,
    sentAsItIs,
    width: target.width,
    height: target.height,
    originalWidth: size.width,
    originalHeight: size.height,
    originalBytes: bytes.length,
    frames: size.frames ?? structure.frames,
  };
}

interface HeicHandle {
  width: number;
  height: number;
}

interface HeicModule {
  all(input: { buffer: Uint8Array }): Promise<HeicHandle[] & { dispose(): void }>;
}

const requireModule = createRequire(import.meta.url);

/** The size preparation will find, read without decoding pixels. */
async function orientedSize(
  source: MediaSource,
  bytes: ByteReader,
  format: ImageFormat,
  input: string,
  maxInputPixels: number,
): Promise<{ width: number; height: number; frames?: number; metadata?: Metadata }> {
  if (format === "bmp") {
    const size = bmpHeaderSize(bytes, input);
    checkBombFromHeader(input, size, maxInputPixels);
    return size;
  }
  if (format === "heic") {
    // libheif reads the container and the image handles (size after its rotation and mirroring) here;
    // pixels would be decoded only by each handle's decode(), which is never called.
    const heic = requireModule("heic-decode") as HeicModule;
    let images: HeicHandle[] & { dispose(): void };
    try {
      // libheif parses from memory: the one format whose estimate reads the whole file.
      images = await heic.all({ buffer: await readSource(source, input) });
    } catch (error) {
      throw decodingError(error, input, "heic");
    }
    try {
      const first = images[0];
      if (first === undefined) {
        throw new MediaError("unreadable-media", input, "the HEIC file holds no image.");
      }
      checkBombFromHeader(input, first, maxInputPixels);
      return { width: first.width, height: first.height, frames: images.length };
    } finally {
      images.dispose();
    }
  }
  // Given a path, sharp opens the file and reads only its header, as the metadata floor does.
  const header = await readSharpHeader(source, format, input, maxInputPixels);
  return { width: header.width, height: header.height, frames: header.metadata.pages ?? 1, metadata: header.metadata };
}

async function estimateVideoOf(
  source: MediaSource,
  detected: DetectedFormat & { kind: "video" },
  input: string,
  options: EstimateMediaOptions,
  /** The file's size, known from opening it (or the buffer's length). */
  size: number,
): Promise<VideoFileEstimate | FrameListEstimate> {
  const model = modelEntryOf(options.model);
  const mode = options.mode ?? "auto";
  const fps = checkFps(options.fps ?? model.videoTokens.defaultFps);
  checkMaxFrames(model, options.maxFrames);
  let temporary: string | undefined;
  try {
    let path: string;
    if (typeof source === "string") {
      path = source;
    } else {
      // ffprobe reads a path; a video in memory goes to a private temporary file, as preparation does.
      temporary = await mkdtemp(join(tmpdir(), "glance-estimate-"));
      path = join(temporary, "input");
      await writeFile(path, source);
    }
    const probe = await probeVideo(path, input);
    checkVideoShape(input, probe);
    checkDuration(input, model, probe.durationSeconds, options.allowLongVideo === true && mode !== "file");
    if (sendsWholeFile(model, mode, detected, size, options.base64ThresholdBytes)) {
      // A WebM is converted first, so its MP4 size (and data URL) is known only then.
      if (apiVideoFormats.includes(detected.format)) checkVideoDataUrl(input, model, detected.mimeType, size);
      const sampled = videoFileTokens(input, model, probe, fps);
      return {
        kind: "video-file",
        name: input,
        format: detected.format,
        tokens: sampled.tokens,
        width: probe.width,
        height: probe.height,
        frameCount: probe.frameCount,
        frameRate: probe.frameRate,
        durationSeconds: probe.durationSeconds,
        fps,
        sampledFrames: sampled.frames,
        sampledWidth: sampled.width,
        sampledHeight: sampled.height,
        originalBytes: size,
      };
    }
    const { plan, frameSize } = planFrameList(input, model, probe, fps, options.maxFrames);
    return {
      kind: "frame-list",
      name: input,
      format: detected.format,
      tokens: frameSize.tokens,
      frames: plan.frames,
      fps: plan.fps,
      durationSeconds: probe.durationSeconds,
      width: frameSize.width,
      height: frameSize.height,
      originalWidth: probe.width,
      originalHeight: probe.height,
      originalBytes: size,
    };
  } finally {
    if (temporary !== undefined) {
      await rm(temporary, { recursive: true, force: true });
    }
  }
}
