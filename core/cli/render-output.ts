import {
  type Completion,
  type EstimatedChatRequest,
  estimateCost,
  formatBytes,
  formatCount,
  type MediaEstimate,
  type MediaRequestEstimate,
  type PriceTable,
} from "@glance/core";
import type { PlannedRequest } from "./prepare-request.js";

/** How plans, estimates, usage and costs look: as plain text for people, and as `--json` for programs. */

/** One line per input: what was given, what the model will see. */
export function describeMedia(media: MediaEstimate): string {
  switch (media.kind) {
    case "image": {
      const given = `image ${media.originalWidth}x${media.originalHeight} ${media.format.toUpperCase()} ${formatBytes(media.originalBytes)}`;
      const sameSize = media.width === media.originalWidth && media.height === media.originalHeight;
      if (media.sentAsItIs) {
        return sameSize
          ? `${given}, sent as it is`
          : `${given}, sent as it is (the model scales it to ${media.width}x${media.height})`;
      }
      return `${given} -> ${media.width}x${media.height}, re-encoded when sent`;
    }
    case "video-file":
      return (
        `video ${media.width}x${media.height}, ${media.durationSeconds.toFixed(1)} s at ${formatRate(media.frameRate)} fps, ` +
        `${formatBytes(media.originalBytes)}, sent whole, sampled by the service at ${media.fps} fps`
      );
    case "frame-list":
      return (
        `video ${media.originalWidth}x${media.originalHeight}, ${media.durationSeconds.toFixed(1)} s, ${formatBytes(media.originalBytes)}` +
        ` -> ${media.frames} frames of ${media.width}x${media.height} at ${formatRate(media.fps)} fps`
      );
  }
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}

export function renderEstimate(
  request: MediaRequestEstimate,
  media: readonly MediaEstimate[],
  files: readonly string[],
): string {
  const lines: string[] = [];
  const model = request.model;
  const budget = request.highResolution
    ? `high resolution, ${formatCount(model.highResolutionMaxPixels)} px`
    : `max_pixels ${formatCount(request.maxPixels ?? model.defaultMaxPixels)}`;
  lines.push(`Model ${request.modelName} (${model.imagePixelFactor} px per token side, ${budget})`);
  const width = Math.max(...files.map((file) => file.length));
  request.estimate.inputs.forEach((input, index) => {
    const item = media[index];
    const tokens =
      input.tokens === undefined ? `unknown (${input.reason ?? "no size"})` : `${formatCount(input.tokens)} tokens`;
    lines.push(
      `  ${(files[index] ?? input.name).padEnd(width)}  ${item === undefined ? input.kind : describeMedia(item)}  ${tokens}`,
    );
  });
  const visual = request.estimate.inputs.reduce((sum, input) => sum + (input.tokens ?? 0), 0);
  lines.push(`  ${"text".padEnd(width)}  prompt and chat template  ${formatCount(request.estimate.textTokens)} tokens`);
  lines.push(
    `Total: ${formatCount(request.estimate.totalTokens)} input tokens (${formatCount(visual)} visual)` +
      ` of ${formatCount(request.estimate.limitTokens)} allowed${request.estimate.complete ? "" : "; some inputs could not be estimated"}.`,
  );
  for (const note of request.notes) {
    lines.push(`Note: ${note}`);
  }
  return lines.join("\n");
}

export function estimateJson({ request, media, files }: PlannedRequest) {
  return {
    model: request.modelName,
    inputs: request.estimate.inputs.map((input, index) => {
      const item = media[index];
      return {
        file: files[index] ?? input.name,
        kind: input.kind,
        tokens: input.tokens ?? null,
        ...(item === undefined ? {} : sizesOf(item)),
      };
    }),
    textTokens: request.estimate.textTokens,
    totalTokens: request.estimate.totalTokens,
    limitTokens: request.estimate.limitTokens,
    complete: request.estimate.complete,
    notes: request.notes,
  };
}

function sizesOf(media: MediaEstimate) {
  switch (media.kind) {
    case "image":
      return {
        format: media.format,
        originalWidth: media.originalWidth,
        originalHeight: media.originalHeight,
        width: media.width,
        height: media.height,
        originalBytes: media.originalBytes,
        sentAsItIs: media.sentAsItIs,
      };
    case "video-file":
      return {
        format: media.format,
        width: media.width,
        height: media.height,
        durationSeconds: media.durationSeconds,
        fps: media.fps,
        originalBytes: media.originalBytes,
      };
    case "frame-list":
      return {
        format: media.format,
        originalWidth: media.originalWidth,
        originalHeight: media.originalHeight,
        width: media.width,
        height: media.height,
        frames: media.frames,
        fps: media.fps,
        durationSeconds: media.durationSeconds,
        originalBytes: media.originalBytes,
      };
  }
}

/** What a price needs of a request: the model and the input token total, planned or built. */
type PricedRequest = Pick<EstimatedChatRequest, "modelName" | "model" | "estimate">;

/** The estimate's input cost, when a price table was given; output tokens are unknown before asking. */
export function costLine(request: PricedRequest, prices: PriceTable | undefined): string | undefined {
  if (prices === undefined) return undefined;
  const cost = estimateCost({
    model: request.modelName,
    family: request.model.family,
    inputTokens: request.estimate.totalTokens,
    prices,
  });
  return cost.priced
    ? `Input cost: ${formatMoney(cost.inputCost, cost.currency)} (output is billed on top, per token generated).`
    : `Cost: ${cost.reason ?? "not priced"}`;
}

export function costJson(request: PricedRequest, prices: PriceTable | undefined) {
  if (prices === undefined) return {};
  return {
    cost: estimateCost({
      model: request.modelName,
      family: request.model.family,
      inputTokens: request.estimate.totalTokens,
      prices,
    }),
  };
}

/** What an answer used, next to what was estimated before sending. */
export function usageLine(request: EstimatedChatRequest, completion: Completion): string {
  return completion.usage
    ? `${formatCount(completion.usage.inputTokens)} input tokens (estimated ${formatCount(request.estimate.totalTokens)}), ${formatCount(completion.usage.outputTokens)} output tokens`
    : `estimated ${formatCount(request.estimate.totalTokens)} input tokens; the service reported no usage`;
}

export function formatMoney(amount: number | undefined, currency: string | undefined): string {
  return `${(amount ?? 0).toFixed(6)} ${currency ?? ""}`.trim();
}
