import { estimateImageListTokens } from "../estimation/image-list-tokens.js";
import { estimateImageTokens } from "../estimation/image-tokens.js";
import { chatTemplateTokens, countTextTokens } from "../estimation/text-tokens.js";
import { estimateVideoTokens } from "../estimation/video-tokens.js";
import type { ChatRequest } from "./chat-request.js";
import { type VisualInput, visualInputName } from "./visual-input.js";

export interface InputTokenEstimate {
  name: string;
  kind: VisualInput["kind"];
  /** Undefined when the input's size is unknown (a remote file given without its dimensions). */
  tokens: number | undefined;
  /** Why `tokens` is undefined. */
  reason?: string;
}

export interface RequestEstimate {
  inputs: InputTokenEstimate[];
  /** System, history and prompt text, with the chat template's own tokens. */
  textTokens: number;
  /** Every known token: text plus the inputs whose size is known. */
  totalTokens: number;
  /** False when some input could not be estimated, so the real total is higher. */
  complete: boolean;
  /** The input tokens the model (or the caller's override) allows. */
  limitTokens: number;
}

export type EstimatedChatRequest = ChatRequest & { estimate: RequestEstimate };

/** Estimates the input tokens of a built request, per input and in total, before it is sent. */
export async function estimateRequest(request: ChatRequest): Promise<RequestEstimate> {
  const inputs = request.inputs.map((input, index) => estimateInput(request, input, visualInputName(input, index)));
  let textTokens = chatTemplateTokens(request.body.messages.length);
  for (const text of request.texts) {
    textTokens += await countTextTokens(text);
  }
  const known = inputs.reduce((sum, estimate) => sum + (estimate.tokens ?? 0), 0);
  return {
    inputs,
    textTokens,
    totalTokens: textTokens + known,
    complete: inputs.every((estimate) => estimate.tokens !== undefined),
    limitTokens: request.maxInputTokens,
  };
}

function estimateInput(request: ChatRequest, input: VisualInput, name: string): InputTokenEstimate {
  const { model } = request;
  const imageOptions = {
    model,
    highResolution: request.highResolution,
    ...(request.maxPixels === undefined ? {} : { maxPixels: request.maxPixels }),
  };
  switch (input.kind) {
    case "image":
      return { name, kind: input.kind, tokens: estimateImageTokens({ ...imageOptions, ...sizeOf(input) }).tokens };
    case "image-url": {
      const size = knownSize(input.width, input.height);
      return size === undefined
        ? unknown(name, input.kind, "the image's width and height were not given")
        : { name, kind: input.kind, tokens: estimateImageTokens({ ...imageOptions, ...size }).tokens };
    }
    case "video-file":
      return {
        name,
        kind: input.kind,
        tokens: estimateVideoTokens(
          { model, ...sizeOf(input), frameCount: input.frameCount, frameRate: input.frameRate, fps: input.fps },
          name,
        ).tokens,
      };
    case "video-url": {
      const size = knownSize(input.width, input.height);
      const frameRate = input.frameRate;
      const frameCount =
        input.frameCount ??
        (input.durationSeconds !== undefined && frameRate !== undefined
          ? Math.round(input.durationSeconds * frameRate)
          : undefined);
      if (size === undefined || frameRate === undefined || frameCount === undefined) {
        return unknown(name, input.kind, "the video's size, frame rate and length were not all given");
      }
      const fps = input.fps ?? model.videoTokens.defaultFps;
      return {
        name,
        kind: input.kind,
        tokens: estimateVideoTokens({ model, ...size, frameCount, frameRate, fps }, name).tokens,
      };
    }
    case "frame-list":
      return {
        name,
        kind: input.kind,
        tokens: estimateImageListTokens({ model, ...sizeOf(input), frames: input.frames.length }, name).tokens,
      };
    case "frame-urls": {
      const size = knownSize(input.width, input.height);
      return size === undefined
        ? unknown(name, input.kind, "the frames' width and height were not given")
        : {
            name,
            kind: input.kind,
            tokens: estimateImageListTokens({ model, ...size, frames: input.urls.length }, name).tokens,
          };
    }
  }
}

function sizeOf(input: { width: number; height: number }): { width: number; height: number } {
  return { width: input.width, height: input.height };
}

function knownSize(
  width: number | undefined,
  height: number | undefined,
): { width: number; height: number } | undefined {
  return width === undefined || height === undefined ? undefined : { width, height };
}

function unknown(name: string, kind: VisualInput["kind"], reason: string): InputTokenEstimate {
  return { name, kind, tokens: undefined, reason };
}
