import sharp, { type Sharp } from "sharp";
import { InputLimitError } from "../errors.js";

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
 * PNG or JPEG? Screenshots, diagrams and flat graphics use few distinct colours (flat fills plus the
 * anti-aliasing shades of text); JPEG smears their text edges and often comes out larger anyway.
 * Photos and noisy renders use tens of thousands. The rule: sample up to 65,536 pixels of the
 * already-scaled image on an even grid and count distinct RGB colours; at most 4,096 means flat
 * graphics, sent as lossless PNG; more means a photo, sent as JPEG at quality 90.
 */
const flatGraphicsColourLimit = 4096;
const colourSampleLimit = 65_536;

export function looksLikeFlatGraphics(pixels: RawPixels): boolean {
  const pixelCount = pixels.width * pixels.height;
  const stride = Math.max(1, Math.floor(pixelCount / colourSampleLimit));
  const colours = new Set<number>();
  for (let pixel = 0; pixel < pixelCount; pixel += stride) {
    const offset = pixel * pixels.channels;
    const first = pixels.data[offset] ?? 0;
    // Grey images (1 or 2 channels) count their single level; colour images pack R, G and B.
    const colour =
      pixels.channels >= 3
        ? (first << 16) | ((pixels.data[offset + 1] ?? 0) << 8) | (pixels.data[offset + 2] ?? 0)
        : first;
    colours.add(colour);
    if (colours.size > flatGraphicsColourLimit) {
      return false;
    }
  }
  return true;
}

/** Characters of the data URL the request will carry: "data:<mime>;base64," plus the base64 text. */
export function dataUrlLength(mimeType: string, byteCount: number): number {
  return `data:${mimeType};base64,`.length + Math.ceil(byteCount / 3) * 4;
}

export async function encodePng(pixels: RawPixels): Promise<EncodedImage> {
  const data = await rawPipeline(pixels).png({ compressionLevel: 9 }).toBuffer();
  return { mimeType: "image/png", data };
}

export async function encodeJpeg(pixels: RawPixels, quality: number): Promise<EncodedImage> {
  // JPEG has no transparency: transparent areas become white, as viewers usually show them.
  const data = await rawPipeline(pixels)
    .flatten({ background: "#ffffff" })
    .jpeg({ quality, mozjpeg: false })
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
