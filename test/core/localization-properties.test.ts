/*
 * Properties of box and point parsing, checked on generated model replies (fast-check). A reply is
 * model output: anything at all, or JSON, tags and prose mixed in the spellings Qwen models use, with
 * numbers of any size and sign. Whatever the reply, for any frame:
 * - parsing never throws (a reply is data, not a reason to crash the caller);
 * - every box and point lies within the original image, boxes have x1 < x2 and y1 < y2, whole pixels;
 * - every entry found is accounted for: drawn (box or point) or counted as skipped;
 * - a box written on the frame's grid comes back where mapping says it lands (a round trip).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type LocalizationFrame, mapBoxToOriginal, parseLocalizations } from "@glance/core";
import fc from "fast-check";

const runs = { numRuns: 300 };

const frame: fc.Arbitrary<LocalizationFrame> = fc.record({
  model: fc.constantFrom("qwen3-vl-plus", "qwen3.5-plus", "qwen2.5-vl-72b-instruct"),
  scaledWidth: fc.integer({ min: 1, max: 4096 }),
  scaledHeight: fc.integer({ min: 1, max: 4096 }),
  originalWidth: fc.integer({ min: 1, max: 20_000 }),
  originalHeight: fc.integer({ min: 1, max: 20_000 }),
});

/** Numbers as a model might write them, including the absurd. */
const coordinate = fc.oneof(
  fc.integer({ min: -50, max: 1200 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(1e308, -1e308, 0, -0, 999, 1000, 4096),
);
const written = coordinate.map((value) => (Number.isFinite(value) ? String(value) : JSON.stringify(String(value))));
const label = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('a"b', "</ref>", "&amp;", "<box>"));

const replyPiece = fc.oneof(
  fc
    .tuple(written, written, written, written, label)
    .map(([x1, y1, x2, y2, name]) => `{"bbox_2d": [${x1}, ${y1}, ${x2}, ${y2}], "label": ${JSON.stringify(name)}}`),
  fc
    .tuple(written, written, label)
    .map(([x, y, name]) => `{"point_2d": [${x}, ${y}], "label": ${JSON.stringify(name)}}`),
  fc.tuple(written, written, written, written).map(([x1, y1, x2, y2]) => `[${x1}, ${y1}, ${x2}, ${y2}]`),
  fc.tuple(written, written, written, written).map(([x1, y1, x2, y2]) => `<box>(${x1},${y1}),(${x2},${y2})</box>`),
  fc.tuple(written, written, label).map(([x, y, name]) => `<points x1="${x}" y1="${y}" alt="${name}">${name}</points>`),
  label.map((name) => `<ref>${name}</ref>`),
  fc.constantFrom("```json\n", "\n```", "[", "]", "{", "}", ",", '"', "\\", "<points ", "<|box_start|>", "Here: "),
  fc.string({ maxLength: 12 }),
);
const reply = fc.oneof(
  fc.array(replyPiece, { maxLength: 12 }).map((pieces) => pieces.join("")),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);

/** Nested brackets as deep as a runaway model can write them: no stack is that deep. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom("[]", "{}"), fc.constantFrom("", "[1, 2, 3, 4]"))
  .map(([depth, pair, inner]) =>
    pair === "[]"
      ? `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}${inner === "" ? "0" : inner}${"}".repeat(depth)}`,
  );

describe("parseLocalizations, on any reply", () => {
  it("never throws, and everything it returns lies within the original image", () => {
    fc.assert(
      fc.property(fc.oneof(reply, deeplyNested), frame, (text, imageFrame) => {
        const { boxes, points, skipped } = parseLocalizations(text, imageFrame);
        assert.ok(Number.isInteger(skipped) && skipped >= 0);
        for (const box of boxes) {
          for (const value of [box.x1, box.y1, box.x2, box.y2]) assert.ok(Number.isInteger(value), `${value}`);
          assert.ok(box.x1 >= 0 && box.x2 <= imageFrame.originalWidth && box.x1 < box.x2, JSON.stringify(box));
          assert.ok(box.y1 >= 0 && box.y2 <= imageFrame.originalHeight && box.y1 < box.y2, JSON.stringify(box));
          assert.equal(typeof box.label, "string");
        }
        for (const point of points) {
          assert.ok(Number.isInteger(point.x) && Number.isInteger(point.y));
          assert.ok(point.x >= 0 && point.x <= imageFrame.originalWidth, JSON.stringify(point));
          assert.ok(point.y >= 0 && point.y <= imageFrame.originalHeight, JSON.stringify(point));
        }
      }),
      runs,
    );
  });

  it("accounts for every box it reads: drawn or counted as skipped", () => {
    const boxes = fc.array(fc.tuple(coordinate, coordinate, coordinate, coordinate), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(boxes, frame, (written, imageFrame) => {
        const entries = written.map((values) => ({
          bbox_2d: values.map((value) => (Number.isFinite(value) ? value : 0)),
        }));
        const result = parseLocalizations(`Found:\n\`\`\`json\n${JSON.stringify(entries)}\n\`\`\``, imageFrame);
        assert.equal(result.boxes.length + result.skipped, entries.length);
      }),
      runs,
    );
  });

  it("a box on the model's grid lands where mapping puts it, in every spelling", () => {
    const onGrid = fc.tuple(
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 999 }),
    );
    fc.assert(
      fc.property(onGrid, frame, fc.constantFrom("json", "bare", "tag", "qwen-tag"), (values, imageFrame, spelling) => {
        const [x1, y1, x2, y2] = values;
        const text = {
          json: `\`\`\`json\n[{"bbox_2d": [${values.join(", ")}], "label": "thing"}]\n\`\`\``,
          bare: `The thing is at [${values.join(", ")}].`,
          tag: `<ref>thing</ref><box>(${x1},${y1}),(${x2},${y2})</box>`,
          "qwen-tag": `<|object_ref_start|>thing<|object_ref_end|><|box_start|>(${x1},${y1}),(${x2},${y2})<|box_end|>`,
        }[spelling];
        const expected = mapBoxToOriginal(values, imageFrame, spelling === "bare" ? "" : "thing");
        const result = parseLocalizations(text, imageFrame);
        assert.deepEqual(result.boxes, expected === undefined ? [] : [expected]);
        assert.equal(result.skipped, expected === undefined ? 1 : 0);
      }),
      runs,
    );
  });
});
