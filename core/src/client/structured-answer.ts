import type { ZodType } from "zod";

export type StructuredParse<T> = { ok: true; value: T } | { ok: false; problem: string };

const fencePattern = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/i;

/** Reads a JSON answer, tolerating a Markdown code fence around it, and checks it against `schema`. */
export function parseStructuredAnswer<T>(answer: string, schema: ZodType<T>): StructuredParse<T> {
  const text = fencePattern.exec(answer)?.[1] ?? answer;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `the answer is not valid JSON (${reason})` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    // One line: messages of the error family are read in terminals, PR comments and Slack replies.
    const issues = result.error.issues.map(
      (issue) => `${issue.path.length === 0 ? "(root)" : issue.path.join(".")}: ${issue.message}`,
    );
    return { ok: false, problem: `the JSON does not match the schema (${issues.join("; ")})` };
  }
  return { ok: true, value: result.data };
}
