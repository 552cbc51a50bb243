import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import { ConfigurationError } from "../errors.js";
import { checkDimensions } from "./image-tokens.js";
import { scaledFrameSize, videoTokensFor } from "./video-frame-size.js";

export interface ImageListTokenInput {
  model: ModelArgument;
  /** Size of the frames (all frames of a list are scaled to the size of the first). */
  width: number;
  height: number;
  /** How many frames the list holds. */
  frames: number;
}

export interface ImageListTokenEstimate {
  tokens: number;
  width: number;
  height: number;
}

/** Tokens a video costs when sent as a list of already extracted frames (a `video` part). */
export function estimateImageListTokens(input: ImageListTokenInput, inputName = "frame list"): ImageListTokenEstimate {
  const model = modelEntryOf(input.model);
  checkDimensions(input.width, input.height);
  if (!Number.isInteger(input.frames) || input.frames < 1) {
    throw new ConfigurationError(
      "frames",
      `${inputName}: the frame count is ${input.frames}; it must be a whole number, at least 1.`,
    );
  }
  const size = scaledFrameSize(model, input.width, input.height, input.frames, inputName);
  return { tokens: videoTokensFor(model, input.frames, size), width: size.width, height: size.height };
}
