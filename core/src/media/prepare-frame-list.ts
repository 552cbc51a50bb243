import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import { InputLimitError, MediaError } from "../errors.js";
import { estimateImageListTokens } from "../estimation/image-list-tokens.js";
import { checkFps } from "../estimation/video-tokens.js";
import { bufferReader } from "../internal/media-byte-reader.js";
import { defaultMaxInputPixels, type OpenedImage, openImage } from "../internal/media-image-decoding.js";
import { encodeForModel } from "../internal/media-image-encoding.js";
import { type MediaSource, readSource, sourceName } from "../internal/media-source.js";
import { checkImageStructure } from "../internal/media-structure.js";
import { detectFormat } from "./detect-format.js";
import { checkImageShape } from "./image-shape.js";
import { scaledPixels } from "./prepare-image.js";
import type { PreparedFrameList, PreparedImage } from "./prepared-media.js";

export interface PrepareFrameListOptions {
  model: ModelArgument;
  /** The rate the frames were taken at: tells the model how much time lies between them. */
  fps: number;
  /** A label for messages, such as the video the frames came from. */
  name?: string;
  /** The decompression-bomb limit for each frame. */
  maxInputPixels?: number;
}

/**
 * Prepares frames that were already extracted (by the caller, a screen recorder, a CI job) as one
 * video part. The service scales every frame of a list to the size of the first, so all frames are
 * scaled here to that one size from the token math.
 */
export async function prepareFrameList(
  sources: readonly MediaSource[],
  options: PrepareFrameListOptions,
): Promise<PreparedFrameList> {
  const model = modelEntryOf(options.model);
  const name = options.name ?? "frame list";
  const fps = checkFps(options.fps);
  const { imageListMinFrames, imageListMaxFrames } = model.video;
  if (sources.length < imageListMinFrames || sources.length > imageListMaxFrames) {
    throw new InputLimitError({
      limitCode: "frame-count",
      input: name,
      what: "the number of frames",
      limit: `from ${imageListMinFrames} to ${imageListMaxFrames} for ${model.family}`,
      actual: `${sources.length}`,
      fix:
        sources.length < imageListMinFrames
          ? "Add frames, or send these as separate images."
          : "Sample fewer frames (a lower fps), or split the video into parts.",
    });
  }
  const maxInputPixels = options.maxInputPixels ?? defaultMaxInputPixels;
  const opened: { input: string; bytes: number; image: OpenedImage }[] = [];
  for (const [index, source] of sources.entries()) {
    const input = sourceName(source, undefined, `${name} frame ${index + 1}`);
    const bytes = await readSource(source, input);
    const detected = detectFormat(bytes, input);
    if (detected.kind !== "image") {
      throw new MediaError(
        "unsupported-media",
        input,
        `a frame must be an image, but this is a ${detected.format} video.`,
      );
    }
    checkImageStructure(bufferReader(bytes), detected.format, input);
    const image = await openImage(bytes, detected.format, input, maxInputPixels);
    checkImageShape(input, image.width, image.height);
    opened.push({ input, bytes: bytes.length, image });
  }
  const first = opened[0];
  if (first === undefined) {
    throw new MediaError("unreadable-media", name, "no frames were given.");
  }
  const size = estimateImageListTokens(
    { model, width: first.image.width, height: first.image.height, frames: opened.length },
    name,
  );
  const frames: PreparedImage[] = [];
  for (const frame of opened) {
    const pixels = await scaledPixels(frame.image, size.width, size.height, frame.input);
    const encoded = await encodeForModel(pixels, model.image.base64MaxBytes, frame.input);
    frames.push({
      kind: "image",
      name: frame.input,
      mimeType: encoded.mimeType,
      data: encoded.data,
      width: size.width,
      height: size.height,
      originalWidth: frame.image.width,
      originalHeight: frame.image.height,
      originalFormat: frame.image.format,
      originalBytes: frame.bytes,
    });
  }
  return {
    kind: "frame-list",
    name,
    frames,
    fps,
    timestampsSeconds: frames.map((_, index) => index / fps),
    durationSeconds: frames.length / fps,
    width: size.width,
    height: size.height,
    originalWidth: first.image.width,
    originalHeight: first.image.height,
    originalBytes: opened.reduce((total, frame) => total + frame.bytes, 0),
  };
}
