import sharp, { type Sharp } from "sharp";
import { InputLimitError } from "../errors.js";
import { dataUrlLength } from "./data-url.js";

export interface EncodedImage {
  mimeType: "image/png" | "image/jpeg";
  data: Buffer;
}

export interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** JPEG quality for photos: visually lossless for the model at a fraction of PNG's size. */
export const photoJpegQuality = 90;

/** Qualities tried, in order, when an image does not fit the base64 limit. */
const fallbackJpegQualities = [80, 70, 60, 50, 40, 30, 20];

/*
 * PNG or JPEG? Screenshots, diagrams and flat graphics are sent as lossless PNG: JPEG smears their
 * text edges. Photos and noisy renders are sent as JPEG at quality 90. Two signs of graphics, read
 * from up to 65,536 pixels of the already-scaled image (no second decode):
 * - few distinct colours (at most 4,096): flat fills plus the anti-aliasing shades of text;
 * - or many runs of identical pixels: at least 30% of sampled pixels equal their right-hand
 *   neighbour. Real screenshots carry gradients, shadows and embedded photos, so they often have tens
 *   of thousands of colours, yet most of their area is flat UI (about 70% on a desktop screenshot);
 *   in a photo, sensor noise makes equal neighbours rare (well under 1%).
 */
const flatGraphicsColourLimit = 4096;
const colourSampleLimit = 65_536;
const flatNeighbourShare = 0.3;

export function looksLikeFlatGraphics(pixels: RawPixels): boolean {
  const { width, height, channels, data } = pixels;
  const pixelCount = width * height;
  const stride = Math.max(1, Math.floor(pixelCount / colourSampleLimit));
  const colours = new Set<number>();
  let sampled = 0;
  let equalNeighbours = 0;
  for (let pixel = 0; pixel < pixelCount; pixel += stride) {
    const offset = pixel * channels;
    const first = data[offset] ?? 0;
    // Grey images (1 or 2 channels) count their single level; colour images pack R, G and B.
    const colour = channels >= 3 ? (first << 16) | ((data[offset + 1] ?? 0) << 8) | (data[offset + 2] ?? 0) : first;
    if (colours.size <= flatGraphicsColourLimit) {
      colours.add(colour);
    }
    sampled += 1;
    // Byte by byte rather than Buffer.compare: a native call per sample cost more than the whole loop.
    if ((pixel + 1) % width !== 0 && sameAsRightNeighbour(data, offset, channels)) {
      equalNeighbours += 1;
    }
  }
  return colours.size <= flatGraphicsColourLimit || equalNeighbours >= sampled * flatNeighbourShare;
}

function sameAsRightNeighbour(data: Buffer, offset: number, channels: number): boolean {
  for (let channel = 0; channel < channels; channel += 1) {
    if (data[offset + channel] !== data[offset + channels + channel]) return false;
  }
  return true;
}

/*
 * PNG settings, measured on a 4K desktop screenshot scaled to 2144x1184 (bench/results.md): zlib level
 * 6 without row filters encodes in about 40 ms; level 9 saves about 10% of the bytes but takes three
 * times as long, and adaptive row filtering makes screenshots larger, not smaller (flat UI and text
 * compress best unfiltered). An opaque alpha channel is dropped: it is a quarter of the raw data.
 */
export async function encodePng(pixels: RawPixels): Promise<EncodedImage> {
  const pipeline = hasOpaqueAlpha(pixels) ? rawPipeline(pixels).removeAlpha() : rawPipeline(pixels);
  const data = await pipeline.png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
  return { mimeType: "image/png", data };
}

/** Whether the pixels carry an alpha channel that is fully opaque everywhere. */
export function hasOpaqueAlpha(pixels: RawPixels): boolean {
  if (pixels.channels !== 2 && pixels.channels !== 4) {
    return false;
  }
  const { data } = pixels;
  for (let offset = pixels.channels - 1; offset < data.length; offset += pixels.channels) {
    if (data[offset] !== 255) {
      return false;
    }
  }
  return true;
}

export async function encodeJpeg(pixels: RawPixels, quality: number): Promise<EncodedImage> {
  // JPEG has no transparency: transparent areas become white, as viewers usually show them.
  // Huffman tables are not optimised: measured on the bench photo at its prepared size (1856x1376),
  // that second pass over the coefficients took about 60% of the encode (40 ms against 14 ms of CPU)
  // for 3% fewer bytes. mozjpeg (trellis quantisation) is slower still.
  const data = await rawPipeline(pixels)
    .flatten({ background: "#ffffff" })
    .jpeg({ quality, mozjpeg: false, optimiseCoding: false })
    .toBuffer();
  return { mimeType: "image/jpeg", data };
}

/**
 * Encodes scaled pixels as PNG or JPEG by the rule above, then makes sure the data URL fits the
 * model's base64 limit, stepping JPEG quality down when it does not.
 */
export async function encodeForModel(pixels: RawPixels, base64MaxBytes: number, input: string): Promise<EncodedImage> {
  let encoded = looksLikeFlatGraphics(pixels) ? await encodePng(pixels) : await encodeJpeg(pixels, photoJpegQuality);
  if (dataUrlLength(encoded.mimeType, encoded.data.length) <= base64MaxBytes) {
    return encoded;
  }
  for (const quality of fallbackJpegQualities) {
    encoded = await encodeJpeg(pixels, quality);
    if (dataUrlLength(encoded.mimeType, encoded.data.length) <= base64MaxBytes) {
      return encoded;
    }
  }
  throw new InputLimitError({
    limitCode: "image-base64-size",
    input,
    what: "the base64 data URL length",
    limit: `at most ${base64MaxBytes} characters`,
    actual: `${dataUrlLength(encoded.mimeType, encoded.data.length)} characters even as JPEG at quality ${fallbackJpegQualities.at(-1)}`,
    fix: "Lower maxPixels (or turn off high-resolution mode) so the image is scaled smaller.",
  });
}

function rawPipeline(pixels: RawPixels): Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}
