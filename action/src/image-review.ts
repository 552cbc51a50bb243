/*
 * One image's review, in two steps. Planning, once the image is downloaded and before its model
 * call (the reviews stream: review-stream.ts), opens it with core and builds the request from the
 * images' sizes alone, which is all the token estimate needs: a PNG or
 * JPEG the service accepts as it is (no metadata, upright, within the limits, as screenshots usually
 * are) costs a header read there, and is later sent byte for byte (`keepOriginalWhenAccepted`: same
 * tokens, no decode). Everything else (SVG rasterized, GIF, WEBP, BMP, HEIC, TIFF, oversized files)
 * is decoded and scaled there, because only core's decode knows its exact size; what is kept is the
 * small scaled image, not the original. Sending, inside the concurrency pool, turns the images into
 * the request body (base64) only then, so at most `concurrency` requests' bodies exist at a time,
 * and drops the bytes once the answer is in. The answer is read leniently, finding by finding
 * (review-schema.ts). Boxes come back in the model's coordinates of the image it saw and core maps them
 * to pixels of the original file; a box that lies wholly outside the image is dropped.
 */
import {
  boxCoordinatesInstruction,
  buildChatRequest,
  type ChatRequestInput,
  type GlanceClient,
  type LocalizationImage,
  localizationFrameOf,
  mapBoxToOriginal,
  modelEntryOf,
  type PreparedImage,
  prepareImage,
} from "@glance/core";
import type { Severity } from "./config.js";
import type { HashedItem, LoadedItem } from "./review-item.js";
import { answerEnvelopeSchema, readFindings, readKind, readSummary, reviewAnswerSchema } from "./review-schema.js";
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

/** What the model sees of an image and the size of the original file: enough to estimate and map boxes. */
export type ImageGeometry = LocalizationImage;

export interface PlannedReview {
  item: HashedItem;
  before: ImageGeometry | undefined;
  after: ImageGeometry;
  /** The request without its images, which `images` holds until it is sent. */
  request: Omit<ChatRequestInput, "inputs">;
  /** The images to send; undefined once sent or dropped (skipped by the budget), so their bytes can go. */
  images: { before: PreparedImage | undefined; after: PreparedImage } | undefined;
  /** Exact input estimate from core plus the output allowance: what the budget counts. */
  estimatedTokens: number;
}

export interface ReviewResult {
  item: HashedItem;
  kind: "ui" | "diagram";
  summary: string;
  findings: Finding[];
  inputTokens: number;
  outputTokens: number;
  /** What reading the answer left out or mapped (review-schema.ts), for the debug log. */
  reading: { droppedFindings: number; droppedFields: number; mappedValues: number };
}

/** What one answer may cost at most: max_completion_tokens of the request (thinking included), and the budget's per-image allowance. */
export function outputAllowance(thinking: boolean): number {
  return thinking ? 6_000 : 1_500;
}
const thinkingBudget = 4_500;

/** Nothing to send: sizes only, so the estimate is built without turning megabytes into base64. */
const noBytes = Buffer.alloc(0);

export async function planReview(
  item: LoadedItem,
  settings: ReviewSettings,
  context: Omit<PromptContext, "describeSchema" | "boxes">,
): Promise<PlannedReview> {
  const bytes = item.bytes;
  // From here on the plan holds what the request needs (the original itself only when it is sent as it is).
  item.bytes = undefined;
  const { bytes: _released, ...hashed } = item;
  if (bytes === undefined) {
    throw new Error(`${item.name} was planned twice; its bytes are gone.`);
  }
  const imageOptions = {
    model: settings.model,
    highResolution: settings.highResolution,
    keepOriginalWhenAccepted: true,
  };
  const before =
    bytes.before === undefined
      ? undefined
      : await prepareImage(bytes.before, { ...imageOptions, name: `${item.previousPath ?? item.name} (before)` });
  const after = await prepareImage(bytes.after, {
    ...imageOptions,
    name: before === undefined ? item.name : `${item.name} (after)`,
  });
  // Structured output needs thinking off; with thinking on, the schema goes into the prompt instead
  // and core's completeStructured still validates (and repairs once) the answer.
  const enforceSchema = !settings.thinking && modelEntryOf(settings.model).structuredOutput !== "none";
  const request: Omit<ChatRequestInput, "inputs"> = {
    model: settings.model,
    system: systemPrompt,
    prompt: reviewPrompt(item, before !== undefined, {
      ...context,
      describeSchema: !enforceSchema,
      boxes: boxCoordinatesInstruction(settings.model),
    }),
    highResolution: settings.highResolution,
    // The same allowance the budget counts: with thinking, it covers the thinking budget and the answer.
    maxOutputTokens: outputAllowance(settings.thinking),
    ...(enforceSchema ? { structuredOutput: { schema: reviewAnswerSchema, name: "image_review" } } : {}),
    ...(settings.thinking ? { thinking: true, thinkingBudget } : { thinking: false }),
  };
  // Core estimates images from their sizes only, so the same request with empty stand-ins has the
  // very estimate (and the same input-limit check) the real one will have.
  const sizesOnly = (image: PreparedImage): PreparedImage => ({ ...image, data: noBytes });
  const estimated = await buildChatRequest({
    ...request,
    inputs: before === undefined ? [sizesOnly(after)] : [sizesOnly(before), sizesOnly(after)],
  });
  return {
    item: hashed,
    before: before === undefined ? undefined : geometryOf(before),
    after: geometryOf(after),
    request,
    images: { before, after },
    estimatedTokens: estimated.estimate.totalTokens + outputAllowance(settings.thinking),
  };
}

/** Builds the request with the images' bytes, sends it, and lets the bytes go whatever the outcome. */
export async function runReview(
  client: GlanceClient,
  planned: PlannedReview,
  model: string,
  options: { signal?: AbortSignal } = {},
): Promise<ReviewResult> {
  const images = planned.images;
  planned.images = undefined;
  if (images === undefined) {
    throw new Error(`${planned.item.name} was already sent.`);
  }
  const request = await buildChatRequest({
    ...planned.request,
    inputs: images.before === undefined ? [images.after] : [images.before, images.after],
  });
  const { value, completion } = await client.completeStructured(
    request,
    answerEnvelopeSchema,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const read = readFindings(value.findings);
  let droppedBoxes = 0;
  const findings = read.findings.map((finding): Finding => {
    const image = planned.before === undefined ? "after" : (finding.image ?? "after");
    const mapped: Finding = {
      severity: finding.severity,
      title: finding.title,
      detail: finding.detail,
      ...(planned.before === undefined ? {} : { image }),
    };
    if (finding.box === undefined) {
      return mapped;
    }
    const box = mapBox(finding.box, image === "before" ? planned.before : planned.after, model);
    if (box === undefined) {
      droppedBoxes += 1;
      return mapped;
    }
    return { ...mapped, box };
  });
  const kind = readKind(value.kind, planned.item.kindHint);
  return {
    item: planned.item,
    kind,
    summary: readSummary(value.summary),
    findings,
    inputTokens: completion.usage?.inputTokens ?? 0,
    outputTokens: completion.usage?.outputTokens ?? 0,
    reading: {
      droppedFindings: read.droppedFindings,
      droppedFields: read.droppedFields + droppedBoxes,
      mappedValues: read.mappedValues + (value.kind === kind ? 0 : 1),
    },
  };
}

function geometryOf(image: PreparedImage): ImageGeometry {
  return {
    width: image.width,
    height: image.height,
    originalWidth: image.originalWidth,
    originalHeight: image.originalHeight,
  };
}

/** The box as the model wrote it, mapped by core to pixels of the image the finding names. */
function mapBox(box: readonly number[], image: ImageGeometry | undefined, model: string): Finding["box"] {
  if (image === undefined) {
    return undefined;
  }
  const mapped = mapBoxToOriginal(box, localizationFrameOf(model, image));
  return mapped === undefined ? undefined : { x1: mapped.x1, y1: mapped.y1, x2: mapped.x2, y2: mapped.y2 };
}
