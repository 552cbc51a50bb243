import type { ModelEntry } from "../catalogue/model-entry.js";
import { InputLimitError } from "../errors.js";
import { maximumFps, minimumFps } from "../estimation/video-tokens.js";
import { dataUrlLength } from "../internal/data-url.js";
import { formatBytes, formatCount, formatSeconds } from "../internal/format-quantity.js";
import { checkImageShape } from "../media/image-shape.js";
import { type VisualInput, visualInputName } from "./visual-input.js";

/**
 * Checks every documented limit that can be known without the network, so a request the service
 * would refuse is never sent. Token totals are checked separately, once text is counted.
 */
export function checkInputLimits(model: ModelEntry, inputs: readonly VisualInput[]): void {
  let base64Images = 0;
  let urlImages = 0;
  inputs.forEach((input, index) => {
    const name = visualInputName(input, index);
    switch (input.kind) {
      case "image":
        base64Images += 1;
        checkImagePayload(model, name, input.mimeType, input.data.length);
        break;
      case "image-url":
        urlImages += 1;
        if (input.width !== undefined && input.height !== undefined) {
          checkImageShape(name, input.width, input.height);
        }
        break;
      case "video-file":
        checkVideoPayload(model, name, input.mimeType, input.data.length);
        checkFpsLimit(name, input.fps);
        checkDuration(model, name, input.durationSeconds);
        break;
      case "video-url":
        if (input.fps !== undefined) {
          checkFpsLimit(name, input.fps);
        }
        {
          const duration =
            input.durationSeconds ??
            (input.frameCount !== undefined && input.frameRate !== undefined && input.frameRate > 0
              ? input.frameCount / input.frameRate
              : undefined);
          if (duration !== undefined) {
            checkDuration(model, name, duration);
          }
        }
        break;
      case "frame-list":
        checkFrameCount(model, name, input.frames.length);
        checkFpsLimit(name, input.fps);
        input.frames.forEach((frame, frameIndex) => {
          checkImagePayload(model, `${name}, frame ${frameIndex + 1}`, frame.mimeType, frame.data.length);
        });
        break;
      case "frame-urls":
        checkFrameCount(model, name, input.urls.length);
        checkFpsLimit(name, input.fps);
        break;
    }
  });
  checkBase64ImageCount(model, base64Images);
  if (base64Images + urlImages > model.image.maxCountUrl) {
    throw new InputLimitError({
      limitCode: "image-count",
      input: "request",
      what: "the number of images",
      limit: `at most ${formatCount(model.image.maxCountUrl)}`,
      actual: formatCount(base64Images + urlImages),
      fix: "Send fewer images, or split them over several requests.",
    });
  }
}

/** Local images go as base64, whose count has its own, lower limit. */
export function checkBase64ImageCount(model: ModelEntry, base64Images: number): void {
  if (base64Images > model.image.maxCountBase64) {
    throw new InputLimitError({
      limitCode: "base64-image-count",
      input: "request",
      what: "the number of images sent as base64",
      limit: `at most ${formatCount(model.image.maxCountBase64)}`,
      actual: formatCount(base64Images),
      fix: "Send fewer images, or split them over several requests.",
    });
  }
}

function checkImagePayload(model: ModelEntry, name: string, mimeType: string, bytes: number): void {
  const length = dataUrlLength(mimeType, bytes);
  if (length > model.image.base64MaxBytes) {
    throw new InputLimitError({
      limitCode: "image-base64-size",
      input: name,
      what: "the base64 payload size",
      limit: `at most ${formatBytes(model.image.base64MaxBytes)}`,
      actual: `${formatBytes(length)} (${formatBytes(bytes)} before encoding)`,
      fix: "Lower max_pixels or the JPEG quality so the image encodes smaller, or pass it as a public URL.",
    });
  }
}

function checkVideoPayload(model: ModelEntry, name: string, mimeType: string, bytes: number): void {
  const length = dataUrlLength(mimeType, bytes);
  // The reference says the encoded video must be strictly less than the limit.
  if (length >= model.video.base64MaxBytes) {
    throw new InputLimitError({
      limitCode: "video-base64-size",
      input: name,
      what: "the base64 payload size",
      limit: `less than ${formatBytes(model.video.base64MaxBytes)}`,
      actual: `${formatBytes(length)} (${formatBytes(bytes)} before encoding)`,
      fix: "Send the video as extracted frames, compress it, or pass it as a public URL.",
    });
  }
}

function checkFpsLimit(name: string, fps: number): void {
  if (!(fps >= minimumFps && fps <= maximumFps)) {
    throw new InputLimitError({
      limitCode: "video-fps",
      input: name,
      what: "the sampling rate (fps)",
      limit: `from ${minimumFps} to ${maximumFps} frames per second`,
      actual: `${fps} frames per second`,
      fix: "Use a lower fps for long or static videos and a higher one for fast motion, within that range.",
    });
  }
}

function checkFrameCount(model: ModelEntry, name: string, frames: number): void {
  const { imageListMinFrames, imageListMaxFrames } = model.video;
  if (frames < imageListMinFrames || frames > imageListMaxFrames) {
    throw new InputLimitError({
      limitCode: "frame-count",
      input: name,
      what: "the number of frames",
      limit: `from ${formatCount(imageListMinFrames)} to ${formatCount(imageListMaxFrames)} for ${model.family}`,
      actual: formatCount(frames),
      fix:
        frames < imageListMinFrames
          ? "Sample the video at a higher rate, or send it as a single image if it is that short."
          : "Sample the video at a lower rate, or cut it into shorter clips.",
    });
  }
}

function checkDuration(model: ModelEntry, name: string, seconds: number): void {
  const { minDurationSeconds, maxDurationSeconds } = model.video;
  if (seconds < minDurationSeconds || seconds > maxDurationSeconds) {
    throw new InputLimitError({
      limitCode: seconds < minDurationSeconds ? "video-minimum-duration" : "video-maximum-duration",
      input: name,
      what: "the video duration",
      limit: `from ${formatSeconds(minDurationSeconds)} to ${formatSeconds(maxDurationSeconds)} for ${model.family}`,
      actual: formatSeconds(seconds),
      fix:
        seconds < minDurationSeconds
          ? "Send a longer clip, or send its frames as images."
          : "Cut the video into shorter clips, or send sampled frames as a frame list.",
    });
  }
}
