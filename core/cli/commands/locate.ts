import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import {
  drawLocalizations,
  type ImageEstimate,
  localizationFrameOf,
  locatePrompt,
  MediaError,
  type MediaEstimate,
  type PreparedImage,
  type PreparedMedia,
  parseLocalizations,
  UsageError,
} from "@glance/core";
import type { CliCommand } from "../command-table.js";
import { prepareRequest } from "../prepare-request.js";
import { usageLine } from "../render-output.js";
import { printCost, sendRequest, showPlanInstead } from "../send-request.js";

/** `glance locate`: where things are in one image, as coordinates and as boxes drawn on a copy of it. */
export const locateCommand: CliCommand = {
  synopsis: 'locate <file> "<what>"',
  summary: "Find things in an image; writes an annotated PNG.",
  run: async (options, streams) => {
    const [file, target, ...extra] = options.arguments;
    if (file === undefined || target === undefined || extra.length > 0) {
      throw new UsageError(
        `locate takes exactly two arguments, an image and what to find, not ${options.arguments.length}: glance locate screenshot.png "the login button"`,
      );
    }
    const prompt = locatePrompt(target);
    if (await showPlanInstead(options, [file], prompt, streams, (planned) => checkLocatable(planned.media[0], file))) {
      return;
    }
    const prepared = await prepareRequest(options, [file], prompt);
    const image = prepared.media[0];
    checkLocatable(image, file);
    const completion = await sendRequest(options, prepared, streams, { streamAnswer: false });

    const found = parseLocalizations(completion.answer, localizationFrameOf(prepared.request.model, image));
    const output = options.output ?? join(dirname(file), `${basename(file, extname(file))}.located.png`);
    await writeFile(output, await drawLocalizations(await readFile(file), found));
    if (options.json) {
      streams.stdout(`${JSON.stringify({ ...found, output, usage: completion.usage ?? null }, null, 2)}\n`);
      return;
    }
    for (const box of found.boxes) {
      streams.stdout(`${box.label}: (${box.x1}, ${box.y1}) to (${box.x2}, ${box.y2})\n`);
    }
    for (const point of found.points) {
      streams.stdout(`${point.label}: (${point.x}, ${point.y})\n`);
    }
    if (found.skipped > 0) {
      streams.stderr(
        `glance: ${found.skipped} of the model's boxes or points were unusable (outside the image or malformed) and were left out.\n`,
      );
    }
    if (found.boxes.length === 0 && found.points.length === 0) {
      streams.stdout(`Nothing found. The model answered: ${completion.answer.trim()}\n`);
    }
    streams.stderr(`Wrote ${output}. ${usageLine(prepared.request, completion)}.\n`);
    printCost(options, prepared, completion, streams);
  },
};

/** Formats the annotated copy can be drawn on: the original is drawn on as it is, so it must be readable. */
const drawableFormats = new Set(["png", "jpeg", "webp", "gif", "avif", "tiff", "svg"]);

/** Checked before the paid request (and before a plan), so a locate that cannot produce its picture costs nothing. */
function checkLocatable(
  media: PreparedMedia | MediaEstimate | undefined,
  file: string,
): asserts media is PreparedImage | ImageEstimate {
  if (media === undefined || media.kind !== "image") {
    throw new MediaError(
      "unsupported-media",
      file,
      "locate works on images, and this is a video. Use ask with a question about where things are.",
    );
  }
  const format = "originalFormat" in media ? media.originalFormat : media.format;
  if (!drawableFormats.has(format)) {
    throw new MediaError(
      "unsupported-media",
      file,
      `locate draws its boxes on the original, and ${format.toUpperCase()} cannot be drawn on. Convert it to PNG or JPEG first.`,
    );
  }
}
