/** The fixed instructions behind `glance ocr` and `glance locate`. */

export const ocrPrompt =
  "Read all of the text in this image. Reply with the text only, in reading order, keeping line breaks " +
  "and table rows; do not describe the image or add commentary.";

export function locatePrompt(target: string): string {
  return (
    `Locate every instance of: ${target}. Reply with JSON only, an array of objects of the form ` +
    `{"bbox_2d": [x1, y1, x2, y2], "label": "<short name>"}. Reply with [] if there is none.`
  );
}
