import { InputLimitError } from "../errors.js";

/*
 * The service's shape limits for one image. Pure on purpose: request building checks remote images
 * given with their size without loading the image library.
 */

/** The service refuses sides of 10 px or less. */
export const minimumImageSide = 11;
/** The service refuses a long side more than 200 times the short side. */
export const maximumImageAspectRatio = 200;

export function checkImageShape(input: string, width: number, height: number): void {
  for (const [side, value] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (value < minimumImageSide) {
      throw new InputLimitError({
        limitCode: side === "width" ? "image-width" : "image-height",
        input,
        what: `the image ${side}`,
        limit: `greater than ${minimumImageSide - 1} px`,
        actual: `${value} px (${width}x${height})`,
        fix: `Use a larger image, or pad it to at least ${minimumImageSide} px on each side.`,
      });
    }
  }
  const ratio = Math.max(width, height) / Math.min(width, height);
  if (ratio > maximumImageAspectRatio) {
    throw new InputLimitError({
      limitCode: "image-aspect-ratio",
      input,
      what: "the aspect ratio (long side : short side)",
      limit: `at most ${maximumImageAspectRatio}:1`,
      actual: `${ratio.toFixed(2)}:1 (${width}x${height})`,
      fix: "Crop the image, or split it into less elongated pieces.",
    });
  }
}
