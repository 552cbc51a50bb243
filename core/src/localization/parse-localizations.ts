import { findJsonValues } from "./json-values.js";
import { coordinateMapperOf, type LocalizationFrame, mapBox, mapPoint } from "./localization-frame.js";
import type { Localizations, LocalizedBox, LocalizedPoint } from "./localizations.js";

/** A box or point as the model wrote it, before mapping to the original image. */
interface RawEntry {
  kind: "box" | "point";
  label: string;
  values: unknown;
}

const boxKeys = ["bbox_2d", "bbox"] as const;
const pointKeys = ["point_2d", "point"] as const;

/**
 * Reads the boxes and points in a model's reply and maps them to pixels of the original image.
 *
 * Understood forms: JSON with `bbox_2d: [x1, y1, x2, y2]`, `point_2d: [x, y]` and `label` (fenced,
 * surrounded by prose, or nested in a wrapper object), bare arrays of four or two numbers,
 * `<points x1="" y1="" alt="label">` tags, and `<box>(x1,y1),(x2,y2)</box>` or
 * `<|box_start|>(x1,y1),(x2,y2)<|box_end|>` with an optional preceding `<ref>` or
 * `<|object_ref_start|>` label. Anything unusable is dropped and counted in `skipped`.
 */
export function parseLocalizations(text: string, frame: LocalizationFrame): Localizations {
  // Built first, so a frame with a bad size fails even when the reply holds no box.
  const mapper = coordinateMapperOf(frame);
  const { entries: tagEntries, rest } = readTags(text);
  const entries = [...tagEntries];
  for (const value of findJsonValues(rest)) {
    collectJson(value, entries, true, 0);
  }

  const boxes: LocalizedBox[] = [];
  const points: LocalizedPoint[] = [];
  let skipped = 0;
  for (const entry of entries) {
    // Not numbers or the wrong arity ([] then), or a box with no area once on the image: skipped.
    const numbers = numbersOf(entry.values, entry.kind === "box" ? 4 : 2) ?? [];
    const box = entry.kind === "box" ? mapBox(mapper, numbers, entry.label) : undefined;
    const point = entry.kind === "point" ? mapPoint(mapper, numbers, entry.label) : undefined;
    if (box !== undefined) {
      boxes.push(box);
    } else if (point !== undefined) {
      points.push(point);
    } else {
      skipped += 1;
    }
  }
  return { boxes, points, skipped };
}

/** The values as exactly `count` finite numbers (numeric strings accepted), or undefined. */
function numbersOf(values: unknown, count: number): number[] | undefined {
  if (!Array.isArray(values) || values.length !== count) {
    return undefined;
  }
  const numbers = values.map((value) =>
    typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN,
  );
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/**
 * How deep in a JSON value boxes are looked for. Replies nest a box two or three levels deep; a runaway
 * reply can nest tens of thousands, and following it would overflow the stack and throw.
 */
const maximumJsonDepth = 64;

function collectJson(value: unknown, entries: RawEntry[], topLevel: boolean, depth: number): void {
  if (depth > maximumJsonDepth) {
    return;
  }
  if (Array.isArray(value)) {
    if (topLevel && isBareCoordinates(value)) {
      entries.push({ kind: value.length === 4 ? "box" : "point", label: "", values: value });
      return;
    }
    if (topLevel && value.length > 0 && value.every((item) => Array.isArray(item) && isBareCoordinates(item))) {
      for (const item of value as unknown[][]) {
        entries.push({ kind: item.length === 4 ? "box" : "point", label: "", values: item });
      }
      return;
    }
    for (const item of value) {
      collectJson(item, entries, false, depth + 1);
    }
    return;
  }
  if (typeof value !== "object" || value === null) {
    return;
  }
  const record = value as Record<string, unknown>;
  const boxKey = boxKeys.find((key) => key in record);
  const pointKey = pointKeys.find((key) => key in record);
  if (boxKey === undefined && pointKey === undefined) {
    // A wrapper such as {"objects": [...]}: look inside.
    for (const inner of Object.values(record)) {
      collectJson(inner, entries, false, depth + 1);
    }
    return;
  }
  const label = labelOf(record.label);
  if (boxKey !== undefined) {
    entries.push({ kind: "box", label, values: record[boxKey] });
  }
  if (pointKey !== undefined) {
    entries.push({ kind: "point", label, values: record[pointKey] });
  }
}

/** Only a bare array of exactly four or two numbers counts: "[1]" in prose is not a location. */
function isBareCoordinates(value: unknown[]): boolean {
  return (value.length === 4 || value.length === 2) && value.every((item) => typeof item === "number");
}

function labelOf(value: unknown): string {
  if (typeof value === "string") {
    return value.trim();
  }
  return typeof value === "number" ? String(value) : "";
}

const tagPattern =
  /<ref>([\s\S]*?)<\/ref>|<\|object_ref_start\|>([\s\S]*?)<\|object_ref_end\|>|(?:<box>|<\|box_start\|>)([\s\S]*?)(?:<\/box>|<\|box_end\|>)|<points?\b([^>]*)>(?:([^<]*)<\/points?>)?/g;
const attributePattern = /([\w-]+)\s*=\s*"([^"]*)"/g;
const numberPattern = /-?\d+(?:\.\d+)?/g;

/**
 * Reads the tag forms and blanks them out of the text, so the JSON scan does not read a
 * `<box>[1,2,3,4]</box>` a second time as a bare array.
 */
function readTags(text: string): { entries: RawEntry[]; rest: string } {
  const entries: RawEntry[] = [];
  let reference = "";
  const rest = text.replace(tagPattern, (match, ref, objectRef, boxBody, pointAttributes, pointBody) => {
    if (typeof ref === "string" || typeof objectRef === "string") {
      reference = decodeEntities(String(ref ?? objectRef)).trim();
    } else if (typeof boxBody === "string") {
      entries.push({ kind: "box", label: reference, values: boxBody.match(numberPattern) ?? [] });
    } else if (typeof pointAttributes === "string") {
      entries.push(...pointsOf(pointAttributes, typeof pointBody === "string" ? pointBody : ""));
    }
    return " ".repeat(match.length);
  });
  return { entries, rest };
}

/** `<points x1="10" y1="20" x2="30" y2="40" alt="cup">cup</points>`, or a single `x`/`y` pair. */
function pointsOf(attributeText: string, body: string): RawEntry[] {
  const attributes = new Map<string, string>();
  for (const [, name = "", value = ""] of attributeText.matchAll(attributePattern)) {
    attributes.set(name.toLowerCase(), decodeEntities(value));
  }
  const label = (attributes.get("alt") ?? attributes.get("label") ?? decodeEntities(body)).trim();
  const suffixes = new Set<string>();
  for (const name of attributes.keys()) {
    const match = /^[xy](\d*)$/.exec(name);
    if (match !== null) {
      suffixes.add(match[1] ?? "");
    }
  }
  return [...suffixes]
    .sort((first, second) => Number(first) - Number(second))
    .map((suffix) => ({
      kind: "point" as const,
      label,
      // A missing half of the pair makes this entry unusable, and it is counted as skipped.
      values: [attributes.get(`x${suffix}`), attributes.get(`y${suffix}`)],
    }));
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
