import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import { ConfigurationError } from "../errors.js";
import { pythonInt, roundHalfToEven } from "../internal/python-numbers.js";

export interface ImageTokenInput {
  model: ModelArgument;
  /** The image's own width and height in pixels, after EXIF orientation. */
  width: number;
  height: number;
  /** The request's `max_pixels`; the model's default when absent. Ignored with `highResolution`. */
  maxPixels?: number;
  /** The request's `vl_high_resolution_images`. */
  highResolution?: boolean;
}

export interface ImageTokenEstimate {
  tokens: number;
  /** What the model sees after scaling: multiples of the model's pixel factor. */
  width: number;
  height: number;
}

/** Every image is wrapped in <|vision_bos|> and <|vision_eos|>, one token each. */
export const visionMarkerTokens = 2;

/**
 * Tokens one image costs, computed the way the service's own calculator does: sides rounded to the
 * pixel factor, then scaled down to `max_pixels` (or up to the model's `min_pixels`, 4 tokens' worth in
 * the calculator) keeping the aspect ratio, then one token per factor x factor square plus the two vision markers.
 */
export function estimateImageTokens(input: ImageTokenInput): ImageTokenEstimate {
  const model = modelEntryOf(input.model);
  const factor = model.imagePixelFactor;
  const { width, height } = input;
  checkDimensions(width, height);
  const maxPixels = effectiveMaxPixels(
    input,
    model.defaultMaxPixels,
    model.maximumMaxPixels,
    model.highResolutionMaxPixels,
  );
  const minPixels = model.minPixels;

  let scaledHeight = roundHalfToEven(height / factor) * factor;
  let scaledWidth = roundHalfToEven(width / factor) * factor;
  if (scaledHeight * scaledWidth > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    scaledHeight = Math.floor(height / beta / factor) * factor;
    scaledWidth = Math.floor(width / beta / factor) * factor;
  } else if (scaledHeight * scaledWidth < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    scaledHeight = Math.ceil((height * beta) / factor) * factor;
    scaledWidth = Math.ceil((width * beta) / factor) * factor;
  }
  const tokens = pythonInt((scaledHeight * scaledWidth) / (factor * factor)) + visionMarkerTokens;
  return { tokens, width: scaledWidth, height: scaledHeight };
}

function effectiveMaxPixels(
  input: ImageTokenInput,
  defaultMaxPixels: number,
  maximumMaxPixels: number,
  highResolutionMaxPixels: number,
): number {
  if (input.highResolution === true) {
    return highResolutionMaxPixels;
  }
  if (input.maxPixels === undefined) {
    return defaultMaxPixels;
  }
  if (!Number.isInteger(input.maxPixels) || input.maxPixels <= 0 || input.maxPixels > maximumMaxPixels) {
    throw new ConfigurationError(
      "maxPixels",
      `max_pixels is ${input.maxPixels}, but this model accepts a whole number from 1 to ${maximumMaxPixels}. ` +
        `Lower it, or use high-resolution mode for the model's fixed ${highResolutionMaxPixels} pixel cap.`,
    );
  }
  return input.maxPixels;
}

export function checkDimensions(width: number, height: number): void {
  for (const [name, value] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new ConfigurationError(
        name,
        `The ${name} of an image is ${value}; it must be a whole number of pixels, at least 1.`,
      );
    }
  }
}
