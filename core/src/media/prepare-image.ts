import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import { MediaError } from "../errors.js";
import { estimateImageTokens } from "../estimation/image-tokens.js";
import { bufferReader } from "../internal/media-byte-reader.js";
import {
  bmpHeaderSize,
  checkBombFromHeader,
  decodingError,
  defaultMaxInputPixels,
  type OpenedImage,
  openImage,
} from "../internal/media-image-decoding.js";
import { encodeForModel, type RawPixels } from "../internal/media-image-encoding.js";
import { passThroughData, passThroughMimeType } from "../internal/media-image-passthrough.js";
import { type MediaSource, readSource, readSourceHead, sourceName } from "../internal/media-source.js";
import { checkImageStructure } from "../internal/media-structure.js";
import { detectFormat } from "./detect-format.js";
import { checkImageShape } from "./image-shape.js";
import type { PreparedImage } from "./prepared-media.js";

export interface PrepareImageOptions {
  model: ModelArgument;
  /** The request's `max_pixels`; the model's default when absent. */
  maxPixels?: number;
  /** The request's `vl_high_resolution_images`. */
  highResolution?: boolean;
  /** A label for messages; the file's base name when the source is a path. */
  name?: string;
  /** The decompression-bomb limit: images whose header claims more pixels are refused undecoded. */
  maxInputPixels?: number;
  /**
   * Send the original bytes untouched when the service would accept them as they are and scale them
   * to the same size itself (a PNG or JPEG within 8K, upright, without EXIF, XMP or IPTC metadata,
   * complete, fitting the base64 limit). Tokens are identical; the CPU cost is reading the header, at
   * the price of more bytes uploaded. A PNG's text and EXIF chunks (tEXt, zTXt, iTXt, eXIf) are dropped
   * from the copy sent, losslessly. Default false: every image is decoded and re-encoded at its
   * final size. Photos carrying metadata (GPS) are always re-encoded, which strips it.
   */
  keepOriginalWhenAccepted?: boolean;
}

/**
 * Decodes an image of any supported format and re-encodes it at exactly the size the model will
 * scale it to, so the token count is unchanged while the bytes sent (and the upload time) drop.
 * With `keepOriginalWhenAccepted`, an image the service takes as it is skips the decode entirely.
 */
export async function prepareImage(source: MediaSource, options: PrepareImageOptions): Promise<PreparedImage> {
  const model = modelEntryOf(options.model);
  const input = sourceName(source, options.name, "image");
  // Sniff first, so a video passed here by mistake is refused without being read whole.
  const { head } = await readSourceHead(source, input);
  const detected = detectFormat(head, input);
  if (detected.kind !== "image") {
    throw new MediaError(
      "unsupported-media",
      input,
      `the file is a ${detected.format} video, not an image. Use prepareVideo or prepareMedia for videos.`,
    );
  }
  const bytes = await readSource(source, input);
  const maxInputPixels = options.maxInputPixels ?? defaultMaxInputPixels;
  if (detected.format === "bmp") {
    // A BMP's header names its size before anything else is read: a bomb is refused as one (naming the
    // pixel limit) rather than as a file too short for the rows it claims.
    checkBombFromHeader(input, bmpHeaderSize(bytes, input), maxInputPixels);
  }
  // The same structural checks as an estimate, so both refuse the same cut-off files.
  const reader = bufferReader(bytes);
  checkImageStructure(reader, detected.format, input);
  const opened = await openImage(bytes, detected.format, input, maxInputPixels);
  checkImageShape(input, opened.width, opened.height);
  const target = estimateImageTokens({
    model,
    width: opened.width,
    height: opened.height,
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution === undefined ? {} : { highResolution: options.highResolution }),
  });
  const originalMimeType =
    options.keepOriginalWhenAccepted === true
      ? passThroughMimeType({
          format: detected.format,
          header: opened.header,
          bytes: reader,
          base64MaxBytes: model.image.base64MaxBytes,
          maxInputPixels,
        })
      : undefined;
  // Sent as it is when the service takes it; otherwise decoded, scaled to exactly what the model sees, re-encoded.
  const sent =
    originalMimeType !== undefined
      ? { mimeType: originalMimeType, data: passThroughData(originalMimeType, bytes) }
      : await encodeForModel(
          await scaledPixels(opened, target.width, target.height, input),
          model.image.base64MaxBytes,
          input,
        );
  return {
    kind: "image",
    name: input,
    mimeType: sent.mimeType,
    data: sent.data,
    width: target.width,
    height: target.height,
    originalWidth: opened.width,
    originalHeight: opened.height,
    originalFormat: detected.format,
    originalBytes: bytes.length,
  };
}

/** Decodes once and scales to exactly width x height (the aspect ratio may shift by a pixel or two). */
export async function scaledPixels(
  opened: OpenedImage,
  width: number,
  height: number,
  input: string,
): Promise<RawPixels> {
  try {
    const { data, info } = await opened
      .pipeline()
      .resize(width, height, { fit: "fill", kernel: "lanczos3" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
      throw new MediaError(
        "unreadable-media",
        input,
        `the image decoded to ${channels} channels, which is not supported.`,
      );
    }
    return { data, width: info.width, height: info.height, channels };
  } catch (error) {
    throw error instanceof MediaError ? error : decodingError(error, input, opened.format);
  }
}
