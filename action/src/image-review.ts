/*
 * One image's review, in three steps, as the reviews stream (review-stream.ts). Planning, once the
 * image is downloaded, asks core for the estimate from the headers alone (estimateMedia: sizes, EXIF
 * orientation, frames; no pixel decoded), which is all the token budget needs. Preparing, only for a
 * plan the budget accepted, turns the bytes into what the request carries: a PNG or JPEG the service
 * accepts as it is (no metadata, upright, within the limits, as screenshots usually are) is sent byte
 * for byte (`keepOriginalWhenAccepted`: same tokens, no decode); everything else (SVG rasterized, GIF,
 * WEBP, BMP, HEIC, TIFF, oversized files) is decoded and scaled, and only the small scaled image is
 * kept. Sending, inside the concurrency pool, turns the images into the request body (base64) only
 * then, so at most `concurrency` requests' bodies exist at a time, and drops the bytes once the
 * request is built. The answer is read leniently, finding by finding (review-schema.ts). Boxes come
 * back in the model's coordinates of the image it saw and core maps them to pixels of the original
 * file; a box that lies wholly outside the image is dropped.
 */
import {
  boxCoordinatesInstruction,
  buildChatRequest,
  type ChatRequestInput,
  estimateMedia,
  estimateMediaRequest,
  type GlanceClient,
  type ImageEstimate,
  type LocalizationImage,
  localizationFrameOf,
  MediaError,
  type MediaEstimate,
  mapBoxToOriginal,
  modelEntryOf,
  type PreparedImage,
  prepareImage,
} from "@glance/core";
import type { Severity } from "./config.js";
import type { HashedItem, ItemBytes, LoadedItem } from "./review-item.js";
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
  /** The downloaded bytes, until prepared (`prepareReview`) or dropped. */
  bytes: ItemBytes | undefined;
  /** The images to send, once prepared; undefined once sent or dropped (skipped by the budget), so their bytes can go. */
  images: { before: PreparedImage | undefined; after: PreparedImage } | undefined;
  /** What preparing the images needs. */
  settings: ReviewSettings;
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

export async function planReview(
  item: LoadedItem,
  settings: ReviewSettings,
  context: Omit<PromptContext, "describeSchema" | "boxes">,
): Promise<PlannedReview> {
  const bytes = item.bytes;
  // From here on the plan holds the bytes, until they are prepared for the request or dropped.
  item.bytes = undefined;
  const { bytes: _released, ...hashed } = item;
  if (bytes === undefined) {
    throw new Error(`${item.name} was planned twice; its bytes are gone.`);
  }
  const names = imageNames(item, bytes.before !== undefined);
  const estimateOptions = { model: settings.model, highResolution: settings.highResolution };
  // Sizes from the headers, no pixel decoded: the estimate of the request preparation will build.
  const before =
    bytes.before === undefined || names.before === undefined
      ? undefined
      : imageEstimateOf(await estimateMedia(bytes.before, { ...estimateOptions, name: names.before }));
  const after = imageEstimateOf(await estimateMedia(bytes.after, { ...estimateOptions, name: names.after }));
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
  // The same totals and input-limit checks buildChatRequest will apply to the prepared images.
  const estimated = await estimateMediaRequest({
    ...request,
    inputs: before === undefined ? [after] : [before, after],
  });
  return {
    item: hashed,
    before: before === undefined ? undefined : geometryOf(before),
    after: geometryOf(after),
    request,
    bytes,
    images: undefined,
    settings,
    estimatedTokens: estimated.estimate.totalTokens + outputAllowance(settings.thinking),
  };
}

/** What messages call the images: the path, with "(before)" and "(after)" for a pair. */
function imageNames(item: HashedItem, paired: boolean): { before: string | undefined; after: string } {
  return paired
    ? { before: `${item.previousPath ?? item.name} (before)`, after: `${item.name} (after)` }
    : { before: undefined, after: item.name };
}

function imageEstimateOf(estimate: MediaEstimate): ImageEstimate {
  if (estimate.kind !== "image") {
    throw new MediaError(
      "unsupported-media",
      estimate.name,
      `the file is a ${estimate.format} video, not an image; only images are reviewed.`,
    );
  }
  return estimate;
}

/**
 * Turns an accepted plan's bytes into the images the request carries: a PNG or JPEG the service
 * accepts as it is (no metadata, upright, within the limits, as screenshots usually are) costs a
 * header read and is sent byte for byte (`keepOriginalWhenAccepted`: same tokens, no decode);
 * anything else is decoded and scaled to exactly what the model sees, and only that is kept.
 */
export async function prepareReview(planned: PlannedReview): Promise<void> {
  const bytes = planned.bytes;
  planned.bytes = undefined;
  if (bytes === undefined) {
    if (planned.images !== undefined) return;
    throw new Error(`${planned.item.name} has no bytes left to prepare.`);
  }
  const names = imageNames(planned.item, bytes.before !== undefined);
  const imageOptions = {
    model: planned.settings.model,
    highResolution: planned.settings.highResolution,
    keepOriginalWhenAccepted: true,
  };
  const before =
    bytes.before === undefined || names.before === undefined
      ? undefined
      : await prepareImage(bytes.before, { ...imageOptions, name: names.before });
  const after = await prepareImage(bytes.after, { ...imageOptions, name: names.after });
  planned.images = { before, after };
  // Boxes map to the prepared images' geometry, which the estimate matches.
  planned.before = before === undefined ? undefined : geometryOf(before);
  planned.after = geometryOf(after);
}

/** Drops whatever a plan still holds of its images: it is not sent, or was. */
export function releaseImages(planned: PlannedReview): void {
  planned.bytes = undefined;
  planned.images = undefined;
}

/** Builds the request with the images' bytes, sends it, and lets the bytes go whatever the outcome. */
export async function runReview(
  client: GlanceClient,
  planned: PlannedReview,
  model: string,
  options: { signal?: AbortSignal } = {},
): Promise<ReviewResult> {
  if (planned.images === undefined) {
    await prepareReview(planned);
  }
  const images = planned.images;
  releaseImages(planned);
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

function geometryOf(image: ImageGeometry): ImageGeometry {
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
