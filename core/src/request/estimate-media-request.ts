import type { MediaEstimate } from "../media/estimate-media.js";
import { assembleChatRequest, checkRequestTokens } from "./build-chat-request.js";
import type { ChatRequest, ChatRequestInput } from "./chat-request.js";
import type { ChatRequestBody } from "./chat-request-body.js";
import { estimateRequest, type InputTokenEstimate, type RequestEstimate } from "./estimate-request.js";
import { checkBase64ImageCount } from "./request-limits.js";
import type { RemoteInput } from "./visual-input.js";

/** A request described by media estimates (estimateMedia) instead of prepared media. */
export interface MediaRequestInput extends Omit<ChatRequestInput, "inputs"> {
  /** The estimates of the files the request will carry, in order. */
  inputs: readonly MediaEstimate[];
}

/**
 * What a request will cost, before any file is prepared: the same totals, limits, notes and refusals
 * as buildChatRequest on the prepared files. `displayBody` shows what would be sent with each file as a
 * placeholder; it is for plans and dry runs, never for sending (prepare the files for that).
 */
export interface MediaRequestEstimate extends Omit<ChatRequest, "body" | "inputs"> {
  displayBody: ChatRequestBody;
  media: readonly MediaEstimate[];
  estimate: RequestEstimate;
}

export async function estimateMediaRequest(input: MediaRequestInput): Promise<MediaRequestEstimate> {
  // Every limit buildChatRequest checks on prepared media, checked on stand-ins of the same size.
  const { body, inputs: _, ...request } = assembleChatRequest({ ...input, inputs: input.inputs.map(standInOf) });
  checkBase64ImageCount(request.model, input.inputs.filter((media) => media.kind === "image").length);
  // The text side does not depend on the media: count it on the request without them.
  const text = await estimateRequest({ ...request, body, inputs: [] });
  const inputs: InputTokenEstimate[] = input.inputs.map((media) => ({
    name: media.name,
    kind: media.kind,
    tokens: media.tokens,
  }));
  const visualTokens = inputs.reduce((sum, estimate) => sum + (estimate.tokens ?? 0), 0);
  const estimate: RequestEstimate = { ...text, inputs, totalTokens: text.textTokens + visualTokens, complete: true };
  checkRequestTokens(request.modelName, estimate);
  return { ...request, displayBody: body, media: input.inputs, estimate };
}

/** A remote input of the estimated file's size: request building checks it and places it like the real one. */
function standInOf(media: MediaEstimate): RemoteInput {
  const url = `(${media.name}: sent once prepared)`;
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
        urls: Array.from({ length: media.frames }, (_, index) => `(${media.name}: frame ${index + 1})`),
        width: media.originalWidth,
        height: media.originalHeight,
        fps: media.fps,
        name: media.name,
      };
  }
}
