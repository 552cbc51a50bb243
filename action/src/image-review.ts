/*
 * One image's review: prepared by core (decoded, SVG rasterized, scaled to exactly what the model
 * sees), built into one request (before and after together for a changed image), estimated before
 * anything is sent, then answered with core's structured output. Boxes come back on the model's
 * grid of the image it saw and are mapped to pixels of the original file with core's parser.
 */
import {
  buildChatRequest,
  type EstimatedChatRequest,
  type GlanceClient,
  modelEntryOf,
  type PreparedImage,
  parseLocalizations,
  prepareImage,
} from "@glance/core";
import type { Severity } from "./config.js";
import type { LoadedItem } from "./review-item.js";
import { reviewAnswerSchema } from "./review-schema.js";
import { type PromptContext, reviewPrompt, systemPrompt } from "./rubric-prompts.js";

export interface ReviewSettings {
  model: string;
  highResolution: boolean;
  thinking: boolean;
}

export interface Finding {
  severity: Severity;
  title: string;
  detail: string;
  image?: "before" | "after" | undefined;
  /** In pixels of the original image file. */
  box?: { x1: number; y1: number; x2: number; y2: number } | undefined;
}

export interface PlannedReview {
  item: LoadedItem;
  request: EstimatedChatRequest;
  before: PreparedImage | undefined;
  after: PreparedImage;
  /** Exact input estimate from core plus the output allowance: what the budget counts. */
  estimatedTokens: number;
}

export interface ReviewResult {
  item: LoadedItem;
  kind: "ui" | "diagram";
  summary: string;
  findings: Finding[];
  inputTokens: number;
  outputTokens: number;
}

/** What one answer may cost at most: max_tokens of the request, and the budget's per-image allowance. */
export function outputAllowance(thinking: boolean): number {
  return thinking ? 6_000 : 1_500;
}
const thinkingBudget = 4_500;

export async function planReview(
  item: LoadedItem,
  settings: ReviewSettings,
  context: Omit<PromptContext, "describeSchema" | "boxes">,
): Promise<PlannedReview> {
  const imageOptions = { model: settings.model, highResolution: settings.highResolution };
  const before =
    item.before === undefined
      ? undefined
      : await prepareImage(item.before, { ...imageOptions, name: `${item.previousPath ?? item.name} (before)` });
  const after = await prepareImage(item.after, {
    ...imageOptions,
    name: before === undefined ? item.name : `${item.name} (after)`,
  });
  // Structured output needs thinking off; with thinking on, the schema goes into the prompt instead
  // and core's completeStructured still validates (and repairs once) the answer.
  const enforceSchema = !settings.thinking && modelEntryOf(settings.model).structuredOutput;
  const request = await buildChatRequest({
    model: settings.model,
    system: systemPrompt,
    prompt: reviewPrompt(item, before !== undefined, {
      ...context,
      describeSchema: !enforceSchema,
      boxes: boxInstruction(settings.model),
    }),
    inputs: before === undefined ? [after] : [before, after],
    highResolution: settings.highResolution,
    // The same allowance the budget counts: with thinking, it covers the thinking budget and the answer.
    maxOutputTokens: outputAllowance(settings.thinking),
    ...(enforceSchema ? { structuredOutput: { schema: reviewAnswerSchema, name: "image_review" } } : {}),
    ...(settings.thinking ? { thinking: true, thinkingBudget } : { thinking: false }),
  });
  return {
    item,
    request,
    before,
    after,
    estimatedTokens: request.estimate.totalTokens + outputAllowance(settings.thinking),
  };
}

export async function runReview(client: GlanceClient, planned: PlannedReview, model: string): Promise<ReviewResult> {
  const { value, completion } = await client.completeStructured(planned.request, reviewAnswerSchema);
  const findings = value.findings.map((finding): Finding => {
    const image = planned.before === undefined ? "after" : (finding.image ?? "after");
    const mapped: Finding = {
      severity: finding.severity,
      title: finding.title.trim(),
      detail: finding.detail.trim(),
      ...(planned.before === undefined ? {} : { image }),
    };
    const box =
      finding.box === undefined
        ? undefined
        : mapBox(finding.box, image === "before" ? planned.before : planned.after, model);
    return box === undefined ? mapped : { ...mapped, box };
  });
  return {
    item: planned.item,
    kind: value.kind,
    summary: value.summary.trim(),
    findings,
    inputTokens: completion.usage?.inputTokens ?? 0,
    outputTokens: completion.usage?.outputTokens ?? 0,
  };
}

/**
 * How to write boxes, in the coordinate system the model answers in and core's parser expects:
 * Qwen3-VL and Qwen3.5 give 0-999 relative coordinates; Qwen2.5-VL and QVQ give pixels of the
 * (scaled) image they were shown.
 */
export function boxInstruction(model: string): string {
  const series = modelEntryOf(model).series;
  return series === "qwen3-vl" || series === "qwen3.5"
    ? "Boxes are [x1, y1, x2, y2] on a 0-999 grid relative to the image (0 is the left or top edge, 999 the right or bottom)."
    : "Boxes are [x1, y1, x2, y2] in pixels of the image as you see it (origin at the top left).";
}

/** Reuses core's parser (and its per-model coordinate rules) by handing it the box as the model writes one. */
function mapBox(box: number[], image: PreparedImage | undefined, model: string): Finding["box"] {
  if (image === undefined) {
    return undefined;
  }
  const parsed = parseLocalizations(JSON.stringify({ bbox_2d: box }), {
    model,
    scaledWidth: image.width,
    scaledHeight: image.height,
    originalWidth: image.originalWidth,
    originalHeight: image.originalHeight,
  });
  const first = parsed.boxes[0];
  return first === undefined ? undefined : { x1: first.x1, y1: first.y1, x2: first.x2, y2: first.y2 };
}
