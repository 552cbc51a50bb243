/*
 * Models wrap JSON in ```json fences, put prose before and after it, and sometimes leave a trailing
 * comma. Rather than trusting any of that, find every balanced [...] or {...} span in the text and keep
 * the ones that parse. Fences and prose are simply what lies between the spans.
 */

/** Every top-level JSON array or object found in the text, in order. */
export function findJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (character !== "[" && character !== "{") {
      index += 1;
      continue;
    }
    const end = matchingEnd(text, index);
    const parsed = end === undefined ? undefined : parseTolerantly(text.slice(index, end + 1));
    if (end !== undefined && parsed !== undefined) {
      values.push(parsed.value);
      index = end + 1;
    } else {
      // Not JSON from here (prose in brackets, a cut-off reply): an inner span may still be.
      index += 1;
    }
  }
  return values;
}

/** The index of the bracket closing the one at `start`, skipping brackets inside strings. */
function matchingEnd(text: string, start: number): number | undefined {
  const stack: string[] = [];
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
    } else if (character === "[" || character === "{") {
      stack.push(character === "[" ? "]" : "}");
    } else if (character === "]" || character === "}") {
      if (stack.pop() !== character) {
        return undefined;
      }
      if (stack.length === 0) {
        return index;
      }
    }
  }
  return undefined;
}

function parseTolerantly(candidate: string): { value: unknown } | undefined {
  for (const text of [candidate, candidate.replace(/,\s*([\]}])/g, "$1")]) {
    try {
      return { value: JSON.parse(text) };
    } catch {
      // Try the next repair.
    }
  }
  return undefined;
}
