/*
 * Where a model's boxes and points land on the original image. A model answers in its own coordinate
 * system (the catalogue's `localizationCoordinates`): a 0..999 grid over the image, or pixels of the
 * scaled image it was shown. The frame pairs the model with both sizes of the image, and the mapping
 * below is the one place that turns model coordinates into whole pixels of the original, clamped to it.
 */
import type { ModelArgument } from "../catalogue/model-argument.js";
import { modelEntryOf } from "../catalogue/model-argument.js";
import type { LocalizationCoordinates } from "../catalogue/model-entry.js";
import { ConfigurationError } from "../errors.js";
import type { PreparedImage } from "../media/prepared-media.js";
import type { LocalizedBox, LocalizedPoint } from "./localizations.js";

/** The image a reply talks about: what the model saw (scaled) and what the caller has (original). */
export interface LocalizationFrame {
  model: ModelArgument;
  scaledWidth: number;
  scaledHeight: number;
  originalWidth: number;
  originalHeight: number;
}

/** The sizes a frame needs; a PreparedImage has them all. */
export type LocalizationImage = Pick<PreparedImage, "width" | "height" | "originalWidth" | "originalHeight">;

/**
 * The frame of an image prepared for a model: the model resolved (so an unknown name fails here, not
 * at the first box), the size the model saw, and the original's size.
 */
export function localizationFrameOf(model: ModelArgument, image: LocalizationImage): LocalizationFrame {
  const frame: LocalizationFrame = {
    model: modelEntryOf(model),
    scaledWidth: image.width,
    scaledHeight: image.height,
    originalWidth: image.originalWidth,
    originalHeight: image.originalHeight,
  };
  checkFrame(frame);
  return frame;
}

/** Maps one coordinate pair or box side from the model's system to pixels of the original. */
export interface CoordinateMapper {
  x(value: number): number;
  y(value: number): number;
}

/*
 * Relative coordinates are divided by 1000, not 999: Qwen's own qwen3_vl_2d drawing example divides by
 * 1000, so that is how the training coordinates were produced (a position times 1000, kept below 1000).
 * Grid value k names the k-th thousandth of the side; dividing by 999 would stretch every box towards
 * the bottom-right by up to 0.1% of the side.
 */
const gridSize = 1000;

/** The mapping of a frame, built once for a whole reply; checks the frame's sizes first. */
export function coordinateMapperOf(frame: LocalizationFrame): CoordinateMapper {
  checkFrame(frame);
  const coordinates: LocalizationCoordinates = modelEntryOf(frame.model).localizationCoordinates;
  const relative = coordinates === "relative-1000";
  const scaleX = frame.originalWidth / (relative ? gridSize : frame.scaledWidth);
  const scaleY = frame.originalHeight / (relative ? gridSize : frame.scaledHeight);
  return {
    x: (value) => clamp(Math.round(value * scaleX), frame.originalWidth),
    y: (value) => clamp(Math.round(value * scaleY), frame.originalHeight),
  };
}

/**
 * A box `[x1, y1, x2, y2]` as the model wrote it, in pixels of the original image with x1 <= x2 and
 * y1 <= y2; undefined when it is not four finite numbers or has no area once clamped to the image
 * (degenerate, or wholly outside it), since such a box cannot be drawn.
 */
export function mapBoxToOriginal(
  values: readonly number[],
  frame: LocalizationFrame,
  label = "",
): LocalizedBox | undefined {
  return mapBox(coordinateMapperOf(frame), values, label);
}

/** A point `[x, y]` as the model wrote it, in pixels of the original image; undefined unless two finite numbers. */
export function mapPointToOriginal(
  values: readonly number[],
  frame: LocalizationFrame,
  label = "",
): LocalizedPoint | undefined {
  return mapPoint(coordinateMapperOf(frame), values, label);
}

/** mapBoxToOriginal with the mapper of a frame already built (a reply with many boxes builds it once). */
export function mapBox(mapper: CoordinateMapper, values: readonly number[], label: string): LocalizedBox | undefined {
  if (values.length !== 4 || !values.every(Number.isFinite)) {
    return undefined;
  }
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = values;
  const left = mapper.x(Math.min(x1, x2));
  const right = mapper.x(Math.max(x1, x2));
  const top = mapper.y(Math.min(y1, y2));
  const bottom = mapper.y(Math.max(y1, y2));
  if (right <= left || bottom <= top) {
    return undefined;
  }
  return { label, x1: left, y1: top, x2: right, y2: bottom };
}

/** mapPointToOriginal with the mapper of a frame already built. */
export function mapPoint(
  mapper: CoordinateMapper,
  values: readonly number[],
  label: string,
): LocalizedPoint | undefined {
  if (values.length !== 2 || !values.every(Number.isFinite)) {
    return undefined;
  }
  const [x = 0, y = 0] = values;
  return { label, x: mapper.x(x), y: mapper.y(y) };
}

function clamp(value: number, limit: number): number {
  return Math.min(Math.max(value, 0), limit);
}

function checkFrame(frame: LocalizationFrame): void {
  for (const name of ["scaledWidth", "scaledHeight", "originalWidth", "originalHeight"] as const) {
    const value = frame[name];
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigurationError(
        name,
        `The localization frame's ${name} is ${value}; it must be a positive number of pixels. ` +
          `Build the frame with localizationFrameOf(model, preparedImage), which has both sizes.`,
      );
    }
  }
}
