import type { ModelEntry } from "../catalogue/model-entry.js";
import { InputLimitError } from "../errors.js";
import { ceilByFactor, floorByFactor, pythonInt, roundByFactor } from "../internal/python-numbers.js";

/** Frames are paired in time: two sampled frames share one grid of visual tokens. */
export const framesPerTemporalPatch = 2;

/** The longest side of a video frame may be at most 200 times its shortest. */
export const maximumVideoAspectRatio = 200;

export interface FrameSize {
  width: number;
  height: number;
}

/**
 * The size every sampled frame is scaled to. The per-frame pixel budget shrinks as frames are added,
 * so that a long video shares the model's total pixel budget (VIDEO_TOTAL_PIXELS) across its frames.
 */
export function scaledFrameSize(
  model: ModelEntry,
  width: number,
  height: number,
  frames: number,
  input: string,
): FrameSize {
  const factor = model.videoPixelFactor;
  const constants = model.videoTokens;
  const minPixels = constants.minPixelsPerFrame;
  const maxPixels = Math.max(
    Math.min(constants.maxPixelsPerFrame, (constants.totalPixels / frames) * framesPerTemporalPatch),
    pythonInt(minPixels * 1.05),
  );

  const ratio = Math.max(height, width) / Math.min(height, width);
  if (ratio > maximumVideoAspectRatio) {
    throw new InputLimitError({
      limitCode: "video-aspect-ratio",
      input,
      what: "the frame aspect ratio (long side : short side)",
      limit: `at most ${maximumVideoAspectRatio}:1`,
      actual: `${ratio.toFixed(2)}:1 (${width}x${height})`,
      fix: "Crop the video to a less elongated frame.",
    });
  }

  let scaledHeight = Math.max(factor, roundByFactor(height, factor));
  let scaledWidth = Math.max(factor, roundByFactor(width, factor));
  if (scaledHeight * scaledWidth > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    scaledHeight = floorByFactor(height / beta, factor);
    scaledWidth = floorByFactor(width / beta, factor);
  } else if (scaledHeight * scaledWidth < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    scaledHeight = ceilByFactor(height * beta, factor);
    scaledWidth = ceilByFactor(width * beta, factor);
  }
  return { width: scaledWidth, height: scaledHeight };
}

/** Tokens for `frames` frames of one size, plus the two vision markers. */
export function videoTokensFor(model: ModelEntry, frames: number, size: FrameSize): number {
  const factor = model.videoPixelFactor;
  return pythonInt((((Math.ceil(frames / framesPerTemporalPatch) * size.height) / factor) * size.width) / factor) + 2;
}
