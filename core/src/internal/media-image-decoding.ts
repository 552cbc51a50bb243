import sharp, { type Metadata, type Sharp, type SharpOptions } from "sharp";
import { InputLimitError, MediaError } from "../errors.js";
import type { ImageFormat } from "../media/detect-format.js";
import type { ByteReader } from "./media-byte-reader.js";
import { decodeInWorker } from "./media-decode-in-worker.js";

/** The default decompression-bomb limit: 100 megapixels, above 8K (33 MP) with room to spare. */
export const defaultMaxInputPixels = 100_000_000;

/** An image whose header has been read and checked; pixels are decoded only by `pipeline()`. */
export interface OpenedImage {
  format: ImageFormat;
  /** Size after EXIF orientation. */
  width: number;
  height: number;
  /** A fresh sharp pipeline: oriented, first frame only, converted to 8-bit sRGB. */
  pipeline(): Sharp;
  /** The header sharp read (no pixels decoded); absent for formats decoded outside sharp (BMP, HEIC). */
  header?: Metadata;
}

interface RawImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  data: Buffer;
}

/**
 * Opens an image for preparation. The pixel count is checked from the header before any pixel is
 * decoded, so a small file that claims to be 50000 x 50000 (a decompression bomb) is refused cheaply.
 */
export async function openImage(
  bytes: Buffer,
  format: ImageFormat,
  input: string,
  maxInputPixels: number,
): Promise<OpenedImage> {
  if (format === "bmp") {
    checkBombFromHeader(input, bmpHeaderSize(bytes, input), maxInputPixels);
  }
  if (format === "bmp" || format === "heic") {
    // Decoded in a worker thread: bmp-js and libheif's WebAssembly would hold the main thread for seconds.
    const raw = await decodeInWorker(format, bytes, input, maxInputPixels, {
      checkPixels: checkBombFromHeader,
      decodingError,
    });
    return fromRaw(format, raw, input, maxInputPixels);
  }
  const header = await readSharpHeader(bytes, format, input, maxInputPixels);
  const options = sharpOptions(maxInputPixels);
  return {
    format,
    width: header.width,
    height: header.height,
    pipeline: () => sharp(bytes, { ...options, autoOrient: true }).toColourspace("srgb"),
    header: header.metadata,
  };
}

function sharpOptions(maxInputPixels: number): SharpOptions {
  return {
    failOn: "truncated",
    limitInputPixels: maxInputPixels,
    // The first frame of an animation is the picture; sharp reads only page 0 by default.
    pages: 1,
  };
}

/** What sharp's header read gives: the size after EXIF orientation, checked against the bomb limit. */
export interface SharpHeader {
  width: number;
  height: number;
  metadata: Metadata;
}

/**
 * Reads the header of a format sharp decodes (every format but BMP and HEIC) and checks the claimed
 * pixel count. No pixel is decoded. Preparation and estimation both size images with this one read,
 * so an estimate cannot drift from what preparation produces.
 */
export async function readSharpHeader(
  /** The bytes, or a path that sharp opens itself and reads only the header of. */
  bytes: Buffer | string,
  format: ImageFormat,
  input: string,
  maxInputPixels: number,
): Promise<SharpHeader> {
  let metadata: Metadata;
  try {
    // Reading the header decodes no pixels, so the limit is lifted here to report the claimed size.
    metadata = await sharp(bytes, { ...sharpOptions(maxInputPixels), limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodingError(error, input, format);
  }
  checkBombFromHeader(input, { width: metadata.width, height: metadata.height }, maxInputPixels);
  const oriented = metadata.autoOrient;
  return { width: oriented.width, height: oriented.height, metadata };
}

/** Turns a sharp failure into our error family: a pixel-limit error is an input limit, the rest unreadable. */
export function decodingError(error: unknown, input: string, format: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new InputLimitError({
      limitCode: "image-pixel-count",
      input,
      what: "the image's pixel count",
      limit: "within the decompression limit",
      actual: "larger than the limit",
      fix: "Scale the image down before sending it, or raise maxInputPixels if the file is trusted.",
    });
  }
  return new MediaError(
    "unreadable-media",
    input,
    `the ${format.toUpperCase()} data could not be decoded (${message.trim()}). The file may be truncated or damaged; save or download it again.`,
    { cause: error },
  );
}

export function checkBombFromHeader(
  input: string,
  size: { width: number | undefined; height: number | undefined },
  maxInputPixels: number,
): void {
  const { width, height } = size;
  if (width === undefined || height === undefined || width < 1 || height < 1) {
    throw new MediaError(
      "unreadable-media",
      input,
      "the image header gives no valid width and height; the file is damaged.",
    );
  }
  if (width * height > maxInputPixels) {
    throw new InputLimitError({
      limitCode: "image-pixel-count",
      input,
      what: "the decoded pixel count",
      limit: `at most ${formatMegapixels(maxInputPixels)} (the decompression-bomb limit)`,
      actual: `${formatMegapixels(width * height)} (${width}x${height})`,
      fix: "Scale the image down before sending it; if the file is trusted, raise maxInputPixels.",
    });
  }
}

function formatMegapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toFixed(1)} megapixels`;
}

function fromRaw(format: ImageFormat, raw: RawImage, input: string, maxInputPixels: number): OpenedImage {
  checkBombFromHeader(input, raw, maxInputPixels);
  return {
    format,
    width: raw.width,
    height: raw.height,
    pipeline: () =>
      sharp(raw.data, {
        raw: { width: raw.width, height: raw.height, channels: 4 },
        limitInputPixels: maxInputPixels,
      }).toColourspace("srgb"),
  };
}

export function bmpHeaderSize(
  bytes: Pick<ByteReader, "length" | "readInt32LE" | "readUInt16LE" | "readUInt32LE">,
  input: string,
): { width: number; height: number } {
  if (bytes.length < 26) {
    throw new MediaError("unreadable-media", input, "the BMP file is shorter than its header; it is truncated.");
  }
  // OS/2 1.x BITMAPCOREHEADER (12 bytes): 16-bit width at 18 and height at 20. Read as the later
  // header, its bytes made a 64x32 file claim hundreds of thousands of megapixels, and bmp-js cannot
  // decode it either: it is refused as what it is, by estimates and preparation alike.
  if (bytes.readUInt32LE(14) === bmpCoreHeaderBytes) {
    throw new MediaError(
      "unsupported-media",
      input,
      `the BMP is an OS/2 1.x bitmap (12-byte header, ${bytes.readUInt16LE(18)}x${bytes.readUInt16LE(20)}), which the BMP decoder does not read. Convert it to PNG.`,
    );
  }
  // BITMAPINFOHEADER and later: signed width at 18, signed height at 22 (negative means top-down rows).
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

const bmpCoreHeaderBytes = 12;
