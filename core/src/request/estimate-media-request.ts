import type { MediaEstimate } from "../media/estimate-media.js";
import { assembleChatRequest, checkRequestTokens } from "./build-chat-request.js";
import type { ChatRequest, ChatRequestInput } from "./chat-request.js";
import type { ChatRequestBody } from "./chat-request-body.js";
import { estimateRequest, type InputTokenEstimate, type RequestEstimate } from "./estimate-request.js";
import { checkBase64ImageCount } from "./request-limits.js";
import type { RemoteInput, VisualInput } from "./visual-input.js";

/** A request described by media estimates (estimateMedia) instead of prepared media. */
export interface MediaRequestInput extends Omit<ChatRequestInput, "inputs"> {
  /**
   * The files the request will carry, in order: estimates of those not prepared yet, and inputs
   * already prepared (or remote) as they are, for callers that keep prepared media in a cache.
   */
  inputs: readonly (MediaEstimate | VisualInput)[];
}

/**
 * What a request will cost, before any file is prepared: the same totals, limits, notes and refusals
 * as buildChatRequest on the prepared files. `displayBody` shows what would be sent with each file as a
 * placeholder; it is for plans and dry runs, never for sending (prepare the files for that).
 */
export interface MediaRequestEstimate extends Omit<ChatRequest, "body" | "inputs"> {
  displayBody: ChatRequestBody;
  media: readonly (MediaEstimate | VisualInput)[];
  estimate: RequestEstimate;
}

/** An estimate carries its token count; prepared and remote inputs do not. */
export function isMediaEstimate(input: MediaEstimate | VisualInput): input is MediaEstimate {
  return "tokens" in input;
}

export async function estimateMediaRequest(input: MediaRequestInput): Promise<MediaRequestEstimate> {
  // Every limit buildChatRequest checks on prepared media, checked on stand-ins of the same size.
  const visual = input.inputs.map((media) => (isMediaEstimate(media) ? standInOf(media) : media));
  const { body, inputs: _, ...request } = assembleChatRequest({ ...input, inputs: visual });
  checkBase64ImageCount(request.model, input.inputs.filter((media) => media.kind === "image").length);
  // Inputs given as they are are counted as buildChatRequest counts them; estimates bring their count.
  const counted = await estimateRequest({ ...request, body, inputs: visual });
  const inputs: InputTokenEstimate[] = input.inputs.map((media, index) => {
    const own = counted.inputs[index];
    return isMediaEstimate(media)
      ? { name: media.name, kind: media.kind, tokens: media.tokens }
      : (own ?? { name: media.name ?? `input ${index + 1}`, kind: media.kind, tokens: undefined });
  });
  const visualTokens = inputs.reduce((sum, estimate) => sum + (estimate.tokens ?? 0), 0);
  const estimate: RequestEstimate = {
    ...counted,
    inputs,
    totalTokens: counted.textTokens + visualTokens,
    complete: inputs.every((item) => item.tokens !== undefined),
  };
  checkRequestTokens(request.modelName, estimate);
  return { ...request, displayBody: body, media: input.inputs, estimate };
}

/** A remote input of the estimated file's size: request building checks it and places it like the real one. */
function standInOf(media: MediaEstimate): RemoteInput {
  const url = `<${media.name}: prepared and sent as base64 with the request>`;
  switch (media.kind) {
    case "image":
      return { kind: "image-url", url, width: media.originalWidth, height: media.originalHeight, name: media.name };
    case "video-file":
      return {
        kind: "video-url",
        url,
        width: media.width,
        height: media.height,
        frameCount: media.frameCount,
        frameRate: media.frameRate,
        durationSeconds: media.durationSeconds,
        fps: media.fps,
        name: media.name,
      };
    case "frame-list":
      return {
        kind: "frame-urls",
        urls: Array.from({ length: media.frames }, (_, index) => `<${media.name}: frame ${index + 1}>`),
        width: media.originalWidth,
        height: media.originalHeight,
        fps: media.fps,
        name: media.name,
      };
  }
}
