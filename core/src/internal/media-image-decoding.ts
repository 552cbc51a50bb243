import { createRequire } from "node:module";
import sharp, { type Metadata, type Sharp, type SharpOptions } from "sharp";
import { InputLimitError, MediaError } from "../errors.js";
import type { ImageFormat } from "../media/detect-format.js";

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

interface BmpModule {
  decode(buffer: Buffer): { width: number; height: number; data: Buffer };
}

interface HeicImage {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}

interface HeicModule {
  all(input: { buffer: Uint8Array }): Promise<HeicImage[] & { dispose(): void }>;
}

// bmp-js and heic-decode are CommonJS without type declarations; they are loaded only when needed.
const requireModule = createRequire(import.meta.url);

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
    return fromRaw(format, decodeBmp(bytes, input), input, maxInputPixels);
  }
  if (format === "heic") {
    return fromRaw(format, await decodeHeic(bytes, input, maxInputPixels), input, maxInputPixels);
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
  bytes: Buffer,
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

export function bmpHeaderSize(bytes: Buffer, input: string): { width: number; height: number } {
  if (bytes.length < 26) {
    throw new MediaError("unreadable-media", input, "the BMP file is shorter than its header; it is truncated.");
  }
  // BITMAPINFOHEADER: signed width at 18, signed height at 22 (negative means top-down rows).
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

function decodeBmp(bytes: Buffer, input: string): RawImage {
  const bmp = requireModule("bmp-js") as BmpModule;
  let decoded: { width: number; height: number; data: Buffer };
  try {
    decoded = bmp.decode(bytes);
  } catch (error) {
    throw decodingError(error, input, "bmp");
  }
  const pixelCount = decoded.width * decoded.height;
  if (decoded.data.length < pixelCount * 4) {
    throw new MediaError(
      "unreadable-media",
      input,
      "the BMP pixel data is shorter than its header says; it is truncated.",
    );
  }
  // bmp-js hands out ABGR; sharp's raw input wants RGBA. Alpha is set opaque: bmp-js leaves it 0 for
  // 24-bit files, and most 32-bit files leave it unused (0) too, which would make the picture invisible.
  const rgba = Buffer.alloc(pixelCount * 4);
  for (let index = 0; index < pixelCount; index += 1) {
    const source = index * 4;
    rgba[source] = decoded.data[source + 3] ?? 0;
    rgba[source + 1] = decoded.data[source + 2] ?? 0;
    rgba[source + 2] = decoded.data[source + 1] ?? 0;
    rgba[source + 3] = 255;
  }
  return { width: decoded.width, height: decoded.height, data: rgba };
}

async function decodeHeic(bytes: Buffer, input: string, maxInputPixels: number): Promise<RawImage> {
  const heic = requireModule("heic-decode") as HeicModule;
  let images: HeicImage[] & { dispose(): void };
  try {
    images = await heic.all({ buffer: bytes });
  } catch (error) {
    throw decodingError(error, input, "heic");
  }
  try {
    const first = images[0];
    if (first === undefined) {
      throw new MediaError("unreadable-media", input, "the HEIC file holds no image.");
    }
    // heic-decode reads each image's size before decoding it, which is where the bomb check belongs.
    checkBombFromHeader(input, first, maxInputPixels);
    const decoded = await first.decode();
    return {
      width: decoded.width,
      height: decoded.height,
      data: Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
    };
  } catch (error) {
    throw error instanceof MediaError || error instanceof InputLimitError ? error : decodingError(error, input, "heic");
  } finally {
    images.dispose();
  }
}
