import { modelEntryOf } from "../catalogue/model-argument.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import { ConfigurationError, InputLimitError } from "../errors.js";
import { formatCount } from "../internal/format-quantity.js";
import type { ChatRequest, ChatRequestInput } from "./chat-request.js";
import type { ChatMessage, ChatRequestBody, ContentPart } from "./chat-request-body.js";
import { type EstimatedChatRequest, estimateRequest, type RequestEstimate } from "./estimate-request.js";
import { inlineDataUrl, inlineDataUrlList } from "./inline-data.js";
import { checkInputLimits } from "./request-limits.js";
import { noStructuredOutputError, responseFormatOf, withInstruction } from "./structured-output-format.js";
import type { VisualInput } from "./visual-input.js";

/**
 * Builds a Model Studio chat-completions body and checks it against every limit Glance knows,
 * input tokens included, so that nothing the service would refuse is sent.
 */
export async function buildChatRequest(input: ChatRequestInput): Promise<EstimatedChatRequest> {
  const request = assembleChatRequest(input);
  const estimate = await estimateRequest(request);
  checkRequestTokens(request.modelName, estimate);
  return { ...request, estimate };
}

/** The whole request must fit the model's (or the caller's) input token limit. */
export function checkRequestTokens(modelName: string, estimate: RequestEstimate): void {
  if (estimate.totalTokens > estimate.limitTokens) {
    throw new InputLimitError({
      limitCode: "request-tokens",
      input: "request",
      what: "the estimated input tokens (text, images and video)",
      limit: `at most ${formatCount(estimate.limitTokens)} for ${modelName}`,
      actual: formatCount(estimate.totalTokens),
      fix: "Send fewer or smaller images, lower max_pixels or the video fps, or split the request.",
    });
  }
}

/** Everything of buildChatRequest except the token count: synchronous, for callers that estimate later. */
export function assembleChatRequest(input: ChatRequestInput): ChatRequest {
  const model = modelEntryOf(input.model);
  const modelName = modelNameOf(input.model, model);
  const inputs = input.inputs ?? [];
  const notes: string[] = [];

  const maxPixels = checkMaxPixels(model, input.maxPixels);
  const highResolution = input.highResolution === true;
  if (highResolution && maxPixels !== undefined) {
    notes.push("max_pixels is ignored while high-resolution mode is on.");
  }
  const thinking = resolveThinking(model, modelName, input, notes);
  checkInputLimits(model, inputs);

  const texts = textsOf(input);
  let messages = messagesOf(input, inputs, maxPixels, model);
  let responseFormat: ChatRequestBody["response_format"];
  if (input.structuredOutput !== undefined && model.structuredOutput !== "none") {
    const format = responseFormatOf(model.structuredOutput, input.structuredOutput);
    responseFormat = format.responseFormat;
    if (format.instruction !== undefined) {
      messages = withInstruction(messages, format.instruction);
      texts.push(format.instruction);
    }
  }
  const body: ChatRequestBody = { model: modelName, messages };
  if (model.thinking === "hybrid-on" || model.thinking === "hybrid-off") {
    // Sent explicitly for hybrid models so the behaviour does not change if the service's default does.
    body.enable_thinking = thinking;
  }
  if (input.thinkingBudget !== undefined) {
    if (!thinking) {
      throw new ConfigurationError(
        "thinkingBudget",
        `A thinking budget was set, but ${modelName} will not think in this request. Enable thinking or drop the budget.`,
      );
    }
    checkPositiveWhole("thinkingBudget", "The thinking budget", input.thinkingBudget);
    body.thinking_budget = input.thinkingBudget;
  }
  if (highResolution) {
    body.vl_high_resolution_images = true;
  }
  if (input.stream === true || model.streamingOnly) {
    body.stream = true;
    body.stream_options = { include_usage: true };
    if (input.stream !== true) {
      notes.push(`${modelName} answers only by streaming; the answer is streamed and collected.`);
    }
  }
  if (input.maxOutputTokens !== undefined) {
    checkPositiveWhole("maxOutputTokens", "The output token limit", input.maxOutputTokens);
    checkOutputAllowance(input.maxOutputTokens, thinking, input.thinkingBudget, notes);
    /*
     * max_completion_tokens for every model, never max_tokens (see ChatRequestBody). The sources disagree
     * on older families: the notice says "all models in Model Studio compatible with the OpenAI API
     * protocol", while the API reference lists only Qwen3.5-Plus/Flash and later as supporting
     * max_completion_tokens (not qwen3-vl-*, qwen-vl-ocr*, qvq-*). The notice is the newer and broader
     * statement, and max_tokens is on its way out for everyone, so one parameter is sent to all; a 400
     * about it would surface as a configuration error naming the parameter, never as a content error.
     */
    body.max_completion_tokens = input.maxOutputTokens;
  }
  if (input.temperature !== undefined) {
    if (!(input.temperature >= 0 && input.temperature < 2)) {
      throw new ConfigurationError(
        "temperature",
        `The temperature is ${input.temperature}, but must be from 0 up to (not including) 2.`,
      );
    }
    body.temperature = input.temperature;
  }
  if (responseFormat !== undefined) {
    body.response_format = responseFormat;
  }

  let maxInputTokens = model.maxInputTokens;
  if (input.maxInputTokens !== undefined) {
    checkPositiveWhole("maxInputTokens", "The input token limit", input.maxInputTokens);
    maxInputTokens = input.maxInputTokens;
  }

  return {
    body,
    model,
    modelName,
    inputs,
    texts,
    thinking,
    maxPixels,
    highResolution,
    maxInputTokens,
    structuredOutput: input.structuredOutput,
    notes,
  };
}

function modelNameOf(argument: ChatRequestInput["model"], model: ModelEntry): string {
  if (typeof argument === "string") {
    return argument;
  }
  // A resolved catalogue entry carries the name it was resolved from; a bare entry only its family.
  const named = argument as { name?: unknown };
  return typeof named.name === "string" ? named.name : model.family;
}

function checkMaxPixels(model: ModelEntry, maxPixels: number | undefined): number | undefined {
  if (maxPixels === undefined) {
    return undefined;
  }
  if (!Number.isInteger(maxPixels) || maxPixels < 1 || maxPixels > model.maximumMaxPixels) {
    throw new ConfigurationError(
      "maxPixels",
      `max_pixels is ${maxPixels}, but ${model.family} accepts a whole number from 1 to ${formatCount(model.maximumMaxPixels)}. ` +
        `Lower it, or use high-resolution mode for the model's fixed ${formatCount(model.highResolutionMaxPixels)} pixel cap.`,
    );
  }
  return maxPixels;
}

function resolveThinking(model: ModelEntry, modelName: string, input: ChatRequestInput, notes: string[]): boolean {
  const wanted = input.thinking;
  if (model.thinking === "none" && wanted === true) {
    throw new ConfigurationError(
      "thinking",
      `${modelName} has no thinking mode. Drop the thinking option, or choose a hybrid model such as qwen3.5-plus.`,
    );
  }
  if (model.thinking === "always" && wanted === false) {
    throw new ConfigurationError(
      "thinking",
      `${modelName} always thinks; thinking cannot be turned off. Choose an instruct or hybrid model to answer without thinking.`,
    );
  }
  if (input.structuredOutput !== undefined) {
    if (model.structuredOutput === "none") {
      throw noStructuredOutputError(model, modelName);
    }
    // The reference: structured output works only while thinking is disabled.
    if (wanted === true) {
      throw new ConfigurationError(
        "thinking",
        "Structured output works only with thinking disabled. Turn thinking off, or drop the structured output schema.",
      );
    }
    if (model.thinking === "hybrid-on" && wanted === undefined) {
      notes.push("Thinking was turned off because structured output works only without it.");
    }
    return false;
  }
  if (wanted !== undefined) {
    return wanted;
  }
  return model.thinking === "hybrid-on" || model.thinking === "always";
}

/**
 * max_completion_tokens counts thinking and answer together ("reasoning + answer", API reference), so an
 * allowance no larger than the thinking budget leaves the answer nothing.
 */
function checkOutputAllowance(
  maxOutputTokens: number,
  thinking: boolean,
  thinkingBudget: number | undefined,
  notes: string[],
): void {
  if (!thinking) {
    return;
  }
  if (thinkingBudget === undefined) {
    notes.push(
      "The output token limit counts the thinking too; without a thinking budget the model may think up to the limit and leave little for the answer.",
    );
    return;
  }
  if (maxOutputTokens <= thinkingBudget) {
    throw new ConfigurationError(
      "maxOutputTokens",
      `The output token limit is ${formatCount(maxOutputTokens)}, but it counts thinking and answer together and the thinking budget alone is ${formatCount(thinkingBudget)}. ` +
        "Raise the limit above the budget by the answer's length, or lower the budget.",
    );
  }
}

function checkPositiveWhole(setting: string, label: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(setting, `${label} is ${value}; it must be a whole number, at least 1.`);
  }
}

function textsOf(input: ChatRequestInput): string[] {
  const texts: string[] = [];
  if (input.system !== undefined) {
    texts.push(input.system);
  }
  for (const turn of input.history ?? []) {
    texts.push(turn.text);
  }
  texts.push(input.prompt);
  return texts;
}

function messagesOf(
  input: ChatRequestInput,
  inputs: readonly VisualInput[],
  maxPixels: number | undefined,
  model: ModelEntry,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (input.system !== undefined) {
    messages.push({ role: "system", content: input.system });
  }
  for (const turn of input.history ?? []) {
    messages.push({ role: turn.role, content: turn.text });
  }
  const parts: ContentPart[] = inputs.map((visual) => partOf(visual, maxPixels, model));
  parts.push({ type: "text", text: input.prompt });
  messages.push({ role: "user", content: parts });
  return messages;
}

function partOf(input: VisualInput, maxPixels: number | undefined, model: ModelEntry): ContentPart {
  switch (input.kind) {
    case "image":
      // The bytes stay bytes until the client writes the body (inline-data.ts).
      return imagePart(inlineDataUrl(input.mimeType, input.data), maxPixels);
    case "image-url":
      return imagePart({ url: input.url }, maxPixels);
    case "video-file":
      return { type: "video_url", video_url: inlineDataUrl(input.mimeType, input.data), fps: input.fps };
    case "video-url":
      return { type: "video_url", video_url: { url: input.url }, fps: input.fps ?? model.videoTokens.defaultFps };
    case "frame-list":
      return {
        type: "video",
        video: inlineDataUrlList(input.frames),
        fps: input.fps,
      };
    case "frame-urls":
      return { type: "video", video: [...input.urls], fps: input.fps };
  }
}

function imagePart(imageUrl: { url: string }, maxPixels: number | undefined): ContentPart {
  return maxPixels === undefined
    ? { type: "image_url", image_url: imageUrl }
    : { type: "image_url", image_url: imageUrl, max_pixels: maxPixels };
}
