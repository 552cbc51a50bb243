/*
 * The answer each review request asks for, and how an answer is read. The model is asked for the
 * strict shape (`reviewAnswerSchema`: sent as the JSON schema, or described in the prompt), but real
 * models do not always keep to it: a box of three numbers, a severity such as "critical", a finding
 * without a detail. So the answer is accepted in a looser envelope (`answerEnvelopeSchema`, what core
 * checks and repairs once when even that fails) and each finding is then read on its own
 * (`readFindings`): an optional field that is wrong is mapped when its meaning is clear and dropped
 * otherwise; a finding that cannot be read at all is dropped; never the whole answer. What was dropped
 * is counted, for the debug log.
 */
import { z } from "zod";
import type { Severity } from "./config.js";

export const findingSchema = z.object({
  severity: z.enum(["low", "medium", "high"]),
  title: z.string(),
  detail: z.string(),
  /** [x1, y1, x2, y2] in the model's own coordinates of the image named by `image`. */
  box: z.array(z.number()).length(4).optional(),
  image: z.enum(["before", "after"]).optional(),
});

export const reviewAnswerSchema = z.object({
  kind: z.enum(["ui", "diagram"]),
  summary: z.string(),
  findings: z.array(findingSchema),
});

export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;
export type ModelFinding = z.infer<typeof findingSchema>;

/**
 * What an answer must be to be used at all: an object with a findings list (each read by
 * `readFindings`). A kind or summary that is off is mapped below, not a reason to ask again.
 */
export const answerEnvelopeSchema = z.object({
  kind: z.unknown().optional(),
  summary: z.unknown().optional(),
  findings: z.array(z.unknown()),
});

export type AnswerEnvelope = z.infer<typeof answerEnvelopeSchema>;

/** Severity words models use instead of ours, mapped where the meaning is clear. */
const severityWords: Record<string, Severity> = {
  high: "high",
  critical: "high",
  blocker: "high",
  severe: "high",
  major: "high",
  error: "high",
  medium: "medium",
  moderate: "medium",
  warning: "medium",
  low: "low",
  minor: "low",
  trivial: "low",
  nit: "low",
  info: "low",
};

export interface ReadFindings {
  findings: ModelFinding[];
  /** Findings left out because they could not be read (no title, an unknown severity, not an object). */
  droppedFindings: number;
  /** Optional fields left out of kept findings (a malformed box, an unknown image). */
  droppedFields: number;
  /** Values mapped to ours (a severity word such as "critical", a box written as strings). */
  mappedValues: number;
}

/** Reads each finding on its own; see the top of this file. */
export function readFindings(raw: readonly unknown[]): ReadFindings {
  const result: ReadFindings = { findings: [], droppedFindings: 0, droppedFields: 0, mappedValues: 0 };
  for (const entry of raw) {
    const finding = readFinding(entry, result);
    if (finding === undefined) {
      result.droppedFindings += 1;
    } else {
      result.findings.push(finding);
    }
  }
  return result;
}

function readFinding(entry: unknown, counts: ReadFindings): ModelFinding | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return undefined;
  const fields = entry as Record<string, unknown>;
  const title = text(fields.title);
  const severityText = text(fields.severity)?.toLowerCase();
  const severity = severityText === undefined ? undefined : severityWords[severityText];
  if (title === undefined || severity === undefined) return undefined;
  if (severity !== severityText) counts.mappedValues += 1;
  const finding: ModelFinding = { severity, title, detail: text(fields.detail) ?? "" };

  if (fields.box !== undefined && fields.box !== null) {
    const box = readBox(fields.box);
    if (box === undefined) {
      counts.droppedFields += 1;
    } else {
      if (box.mapped) counts.mappedValues += 1;
      finding.box = box.values;
    }
  }
  if (fields.image !== undefined && fields.image !== null) {
    const image = text(fields.image)?.toLowerCase();
    if (image === "before" || image === "after") {
      finding.image = image;
    } else {
      counts.droppedFields += 1;
    }
  }
  return finding;
}

/** Four finite numbers (numeric strings mapped); anything else is not a box. Its range is checked when mapped to pixels. */
function readBox(value: unknown): { values: number[]; mapped: boolean } | undefined {
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  let mapped = false;
  const values: number[] = [];
  for (const part of value) {
    const number = typeof part === "string" && part.trim() !== "" ? Number(part) : part;
    if (typeof number !== "number" || !Number.isFinite(number)) return undefined;
    if (typeof part === "string") mapped = true;
    values.push(number);
  }
  return { values, mapped };
}

/** A non-empty trimmed string, or undefined. */
function text(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** The kind the model named, else the kind the path suggested, else a UI screenshot. */
export function readKind(value: unknown, hint: "ui" | "diagram" | undefined): "ui" | "diagram" {
  const kind = text(value)?.toLowerCase();
  if (kind === "ui" || kind === "diagram") return kind;
  return hint ?? "ui";
}

/** The summary as one string ("" when the model gave none). */
export function readSummary(value: unknown): string {
  return text(value) ?? "";
}
