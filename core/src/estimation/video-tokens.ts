import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import { ConfigurationError, InputLimitError } from "../errors.js";
import { ceilByFactor, floorByFactor, pythonInt } from "../internal/python-numbers.js";
import { checkDimensions } from "./image-tokens.js";
import { framesPerTemporalPatch, scaledFrameSize, videoTokensFor } from "./video-frame-size.js";

export interface VideoTokenInput {
  model: ModelArgument;
  /** The file's frame size. */
  width: number;
  height: number;
  /** The file's own frame count and frame rate. */
  frameCount: number;
  frameRate: number;
  /** The request's sampling rate, frames per second in [0.1, 10]; the model's default (2) when absent. */
  fps?: number;
}

export interface VideoTokenEstimate {
  tokens: number;
  /** How many frames the service samples. */
  frames: number;
  /** The size each sampled frame is scaled to. */
  width: number;
  height: number;
}

export const minimumFps = 0.1;
export const maximumFps = 10;

/** Tokens a video file costs when sent as `video_url` with this `fps`, as the service computes them. */
export function estimateVideoTokens(input: VideoTokenInput, inputName = "video"): VideoTokenEstimate {
  const model = modelEntryOf(input.model);
  checkDimensions(input.width, input.height);
  const fps = checkFps(input.fps ?? model.videoTokens.defaultFps);
  const frames = sampledFrameCount(model, input.frameCount, input.frameRate, fps, inputName);
  const size = scaledFrameSize(model, input.width, input.height, frames, inputName);
  return { tokens: videoTokensFor(model, frames, size), frames, width: size.width, height: size.height };
}

/**
 * How many frames the service samples from a file: `fps` frames per second of whole-second duration
 * (the fractional second counts only when it is longer than one sampling interval), at least 4,
 * at most the model's FPS_MAX_FRAMES and the file's own frame count, rounded to pairs at the bounds.
 */
export function sampledFrameCount(
  model: ModelEntry,
  frameCount: number,
  frameRate: number,
  fps: number,
  inputName = "video",
): number {
  if (!Number.isInteger(frameCount) || frameCount < 1) {
    throw new ConfigurationError(
      "frameCount",
      `${inputName}: the frame count is ${frameCount}; it must be a whole number, at least 1.`,
    );
  }
  if (!(frameRate > 0) || !Number.isFinite(frameRate)) {
    throw new ConfigurationError(
      "frameRate",
      `${inputName}: the frame rate is ${frameRate}; it must be a positive number of frames per second.`,
    );
  }
  const minFrames = ceilByFactor(4, framesPerTemporalPatch);
  const maxFrames = floorByFactor(Math.min(model.videoTokens.maxFrames, frameCount), framesPerTemporalPatch);
  const duration = frameCount / frameRate;
  const wholeSeconds = pythonInt(duration);
  const total =
    duration - wholeSeconds > 1 / fps ? Math.ceil(duration * frameRate) : Math.ceil(wholeSeconds * frameRate);
  const wanted = (total / frameRate) * fps;
  const frames = pythonInt(Math.min(Math.min(Math.max(wanted, minFrames), maxFrames), total));
  if (!(framesPerTemporalPatch <= frames && frames <= total)) {
    throw new InputLimitError({
      limitCode: "sampled-frame-count",
      input: inputName,
      what: "the number of frames the service would sample",
      limit: `from ${framesPerTemporalPatch} to ${total}`,
      actual: `${frames} (${frameCount} frames at ${frameRate} fps)`,
      fix: `Send a longer video (at least ${model.video.minDurationSeconds} s).`,
    });
  }
  return frames;
}

export function checkFps(fps: number): number {
  if (!(fps >= minimumFps && fps <= maximumFps)) {
    throw new ConfigurationError(
      "fps",
      `fps is ${fps}, but must be from ${minimumFps} to ${maximumFps} frames per second. Use a lower value for long or static videos, a higher one for fast motion.`,
    );
  }
  return fps;
}
