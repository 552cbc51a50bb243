import type { ZodType } from "zod";

/*
 * Reading JSON answers leniently. Models wrap JSON in a Markdown code fence, or put a sentence before it
 * ("Here is the review: {…}"), even in json_object mode; a JSON value found that way is as good as a bare
 * one. What the JSON says is then checked against the caller's schema, and lists can be checked item by
 * item so that one bad item costs that item only.
 */

const maximumCandidates = 20;

export type StructuredParse<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Reads a JSON answer (bare, fenced, or after some prose) and checks it against `schema`. */
export function parseStructuredAnswer<T>(answer: string, schema: ZodType<T>): StructuredParse<T> {
  const found = findJson(answer);
  if (!found.ok) {
    return found;
  }
  const result = schema.safeParse(found.value);
  if (!result.success) {
    return { ok: false, problem: `the JSON does not match the schema (${issuesOf(result.error.issues)})` };
  }
  return { ok: true, value: result.data };
}

/**
 * The first JSON value of an answer: the whole text, else the content of a code fence, else the first
 * balanced `{…}` or `[…]` that parses.
 */
export function findJson(answer: string): StructuredParse<unknown> {
  const whole = tryParse(answer.trim());
  if (whole.ok) {
    return whole;
  }
  for (const fence of answer.matchAll(/```[a-zA-Z]*[ \t]*\n?([\s\S]*?)```/g)) {
    const parsed = tryParse((fence[1] ?? "").trim());
    if (parsed.ok) {
      return parsed;
    }
  }
  // Bounded, so a long prose answer full of brackets costs a few scans, not one per bracket.
  let candidates = 0;
  for (
    let start = firstOpening(answer, 0);
    start >= 0 && candidates < maximumCandidates;
    start = firstOpening(answer, start + 1)
  ) {
    candidates += 1;
    const end = balancedEnd(answer, start);
    if (end < 0) {
      continue;
    }
    const parsed = tryParse(answer.slice(start, end + 1));
    if (parsed.ok) {
      return parsed;
    }
  }
  return { ok: false, problem: `the answer is not valid JSON (${whole.problem})` };
}

/** Usable items of a list, each validated on its own, and how many were dropped and why. */
export interface ValidatedItems<T> {
  items: T[];
  dropped: number;
  /** One line per dropped item ("item 2: box: …"), for a debug log. */
  problems: string[];
}

/**
 * Validates each item of `values` against `itemSchema` and keeps the ones that pass (as the schema
 * returns them, so a schema that maps or drops a bad optional field repairs that item instead of losing
 * it). Anything that is not a list counts as one dropped item; absent (undefined or null) as none.
 */
export function validateItems<T>(values: unknown, itemSchema: ZodType<T>): ValidatedItems<T> {
  if (values === undefined || values === null) {
    return { items: [], dropped: 0, problems: [] };
  }
  if (!Array.isArray(values)) {
    return { items: [], dropped: 1, problems: [`not a list but ${typeof values}`] };
  }
  const items: T[] = [];
  const problems: string[] = [];
  values.forEach((value, index) => {
    const result = itemSchema.safeParse(value);
    if (result.success) {
      items.push(result.data);
    } else {
      problems.push(`item ${index + 1}: ${issuesOf(result.error.issues)}`);
    }
  });
  return { items, dropped: problems.length, problems };
}

function tryParse(text: string): StructuredParse<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

function firstOpening(text: string, from: number): number {
  const brace = text.indexOf("{", from);
  const bracket = text.indexOf("[", from);
  if (brace < 0) return bracket;
  if (bracket < 0) return brace;
  return Math.min(brace, bracket);
}

/** Where the bracket opened at `start` closes, skipping brackets inside strings; -1 when it never does. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === "\\") {
        index += 1;
      } else if (character === '"') {
        inString = false;
      }
      continue;
    }
    if (character === '"') {
      inString = true;
    } else if (character === "{" || character === "[") {
      depth += 1;
    } else if (character === "}" || character === "]") {
      depth -= 1;
      if (depth === 0) {
        return index;
      }
    }
  }
  return -1;
}

/** One line: messages of the error family are read in terminals, PR comments and Slack replies. */
function issuesOf(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((issue) => `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${issue.message}`)
    .join("; ");
}
