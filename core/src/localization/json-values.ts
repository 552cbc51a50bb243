/*
 * Models wrap JSON in ```json fences, put prose before and after it, and sometimes leave a trailing
 * comma. Rather than trusting any of that, find every balanced [...] or {...} span in the text and keep
 * the ones that parse. Fences and prose are simply what lies between the spans.
 */

/** Every top-level JSON array or object found in the text, in order. */
export function findJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  const closes = new BracketCloses(text.length);
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (character !== "[" && character !== "{") {
      index += 1;
      continue;
    }
    const end = closes.known(index) ?? matchingEnd(text, index, closes);
    // A span nested deeper than any answer's JSON is not parsed whole (its inner spans still are): with
    // every level parsed, 20,000 nested brackets around one bad character took 12 s, each level failing
    // only at the centre.
    const parsed =
      end === undefined || closes.depth(index) > maximumJsonDepth
        ? undefined
        : parseTolerantly(text.slice(index, end + 1));
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

/** Boxes and points are two or three levels deep; structured answers a few more. */
const maximumJsonDepth = 32;

/*
 * Where each bracket closes, learnt while scanning from an earlier one. A scan that starts at an outer
 * bracket passes every inner bracket outside strings in the state a scan from that bracket would start
 * in, so it already says where that bracket closes, or that it never does (the reply is cut off, or a
 * bracket of the other kind comes first). Without this, a reply of 20,000 unclosed "[" (a model can be
 * led to write one) took 1.7 s of the main thread: one scan to the end per bracket.
 */
class BracketCloses {
  /** -2: not seen yet; -1: never closes; otherwise the index of the closing bracket. */
  readonly #closes: Int32Array;
  /** How deeply brackets nest inside each closed bracket, itself included (1 for `[1, 2]`). */
  readonly #depths: Int32Array;

  constructor(length: number) {
    this.#closes = new Int32Array(length).fill(-2);
    this.#depths = new Int32Array(length);
  }

  /** Where the bracket at `start` closes, when an earlier scan found it. */
  known(start: number): number | undefined {
    const close = this.#closes[start] ?? -2;
    return close >= 0 ? close : undefined;
  }

  /** True when an earlier scan showed that the bracket at `start` never closes. */
  neverCloses(start: number): boolean {
    return this.#closes[start] === -1;
  }

  depth(start: number): number {
    return this.#depths[start] ?? 0;
  }

  record(start: number, close: number, depth = 0): void {
    this.#closes[start] = close;
    this.#depths[start] = depth;
  }
}

/**
 * The index of the bracket closing the one at `start`, skipping brackets inside strings; records on the
 * way where every inner bracket closes (or that it does not).
 */
function matchingEnd(text: string, start: number, closes: BracketCloses): number | undefined {
  if (closes.neverCloses(start)) return undefined;
  // The brackets open around the current character, and the deepest nesting seen inside each.
  const open: number[] = [];
  const innerDepth: number[] = [];
  let inString = false;
  let end: number | undefined;
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
      open.push(index);
      innerDepth.push(0);
    } else if (character === "]" || character === "}") {
      const opening = open.pop();
      const depth = (innerDepth.pop() ?? 0) + 1;
      if (opening === undefined || text[opening] !== (character === "]" ? "[" : "{")) {
        // A mismatch: the bracket it would close, and every one still open around it, never close.
        if (opening !== undefined) closes.record(opening, -1);
        break;
      }
      closes.record(opening, index, depth);
      const outer = innerDepth.length - 1;
      if (outer >= 0) innerDepth[outer] = Math.max(innerDepth[outer] ?? 0, depth);
      if (open.length === 0) {
        end = index;
        break;
      }
    }
  }
  // Cut off, or stopped at a mismatch: the brackets still open never close.
  for (const opening of open) closes.record(opening, -1);
  return end;
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
