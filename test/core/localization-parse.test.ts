import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError, type LocalizationFrame, parseLocalizations } from "@glance/core";

/* Qwen3-VL answers on a 0..999 grid: x_original = x / 1000 * 2000 = 2x, y_original = y / 1000 * 1000 = y. */
const relativeFrame: LocalizationFrame = {
  model: "qwen3-vl-plus",
  scaledWidth: 1024,
  scaledHeight: 512,
  originalWidth: 2000,
  originalHeight: 1000,
};

/* Qwen2.5-VL answers in pixels of the scaled image: 750x500 shown, 1500x1000 original, so everything doubles. */
const absoluteFrame: LocalizationFrame = {
  model: "qwen2.5-vl-72b-instruct",
  scaledWidth: 750,
  scaledHeight: 500,
  originalWidth: 1500,
  originalHeight: 1000,
};

describe("parseLocalizations: formats", () => {
  it("reads fenced JSON surrounded by prose", () => {
    const reply = [
      "Here is what I found:",
      "```json",
      '[{"bbox_2d": [100, 200, 500, 800], "label": "cat"}, {"point_2d": [250, 500], "label": "nose"}]',
      "```",
      "Let me know if you need more [1].",
    ].join("\n");
    assert.deepEqual(parseLocalizations(reply, relativeFrame), {
      boxes: [{ label: "cat", x1: 200, y1: 200, x2: 1000, y2: 800 }],
      points: [{ label: "nose", x: 500, y: 500 }],
      skipped: 0,
    });
  });

  it("reads objects nested in a wrapper and tolerates a trailing comma", () => {
    const reply = '{"objects": [{"label": "cup", "bbox_2d": [10, 20, 30, 40]},], "count": 1}';
    assert.deepEqual(parseLocalizations(reply, relativeFrame).boxes, [
      { label: "cup", x1: 20, y1: 20, x2: 60, y2: 40 },
    ]);
  });

  it("reads bare arrays of four (boxes) and two (points) numbers", () => {
    const boxes = parseLocalizations("```json\n[[100, 100, 200, 200], [300, 300, 400, 400]]\n```", relativeFrame);
    assert.deepEqual(boxes.boxes, [
      { label: "", x1: 200, y1: 100, x2: 400, y2: 200 },
      { label: "", x1: 600, y1: 300, x2: 800, y2: 400 },
    ]);
    assert.deepEqual(parseLocalizations("The centre is at [500, 250].", relativeFrame).points, [
      { label: "", x: 1000, y: 250 },
    ]);
  });

  it("reads <points> tags with numbered pairs, a single pair, and escaped labels", () => {
    const reply =
      '<points x1="100" y1="200" x2="300" y2="400" alt="cup &amp; saucer">cup &amp; saucer</points> and ' +
      '<points x="500" y="500">dot</points>';
    assert.deepEqual(parseLocalizations(reply, relativeFrame), {
      boxes: [],
      points: [
        { label: "cup & saucer", x: 200, y: 200 },
        { label: "cup & saucer", x: 600, y: 400 },
        { label: "dot", x: 1000, y: 500 },
      ],
      skipped: 0,
    });
  });

  it("reads <box> and <|box_start|> forms with their reference labels", () => {
    const reply =
      "<|object_ref_start|>dog<|object_ref_end|><|box_start|>(100,200),(300,400)<|box_end|> " +
      "<ref>car</ref><box>(10, 20), (30, 40)</box>";
    assert.deepEqual(parseLocalizations(reply, relativeFrame).boxes, [
      { label: "dog", x1: 200, y1: 200, x2: 600, y2: 400 },
      { label: "car", x1: 20, y1: 20, x2: 60, y2: 40 },
    ]);
  });

  it("does not read a box inside a tag twice", () => {
    const result = parseLocalizations("<box>[100, 100, 200, 200]</box>", relativeFrame);
    assert.equal(result.boxes.length, 1);
  });

  it("keeps labels exactly as written, markup included", () => {
    const reply = JSON.stringify([{ bbox_2d: [0, 0, 10, 10], label: '<script>&"' }]);
    assert.equal(parseLocalizations(reply, relativeFrame).boxes[0]?.label, '<script>&"');
  });

  it("finds nothing in a reply without locations", () => {
    assert.deepEqual(parseLocalizations("I see a cat sleeping on a red sofa.", relativeFrame), {
      boxes: [],
      points: [],
      skipped: 0,
    });
  });
});

describe("parseLocalizations: coordinates", () => {
  it("divides relative coordinates by 1000, so 999 stops just short of the edge", () => {
    const result = parseLocalizations('[{"bbox_2d": [0, 0, 999, 999], "label": "all"}]', relativeFrame);
    // 999 / 1000 x 2000 = 1998; 999 / 1000 x 1000 = 999.
    assert.deepEqual(result.boxes, [{ label: "all", x1: 0, y1: 0, x2: 1998, y2: 999 }]);
  });

  it("treats Qwen3.5 like Qwen3-VL", () => {
    const frame = { ...relativeFrame, model: "qwen3.5-plus" };
    assert.deepEqual(parseLocalizations('{"point_2d": [250, 750]}', frame).points, [{ label: "", x: 500, y: 750 }]);
  });

  it("scales Qwen2.5-VL pixels from the scaled image to the original", () => {
    const result = parseLocalizations('[{"bbox_2d": [10, 20, 300, 400], "label": "sign"}]', absoluteFrame);
    assert.deepEqual(result.boxes, [{ label: "sign", x1: 20, y1: 40, x2: 600, y2: 800 }]);
  });

  it("scales QVQ pixels by uneven ratios and rounds to whole pixels", () => {
    // 336 x 1001 / 1008 = 333.67 -> 334; 224 x 667 / 672 = 222.33 -> 222.
    const frame = { model: "qvq-max", scaledWidth: 1008, scaledHeight: 672, originalWidth: 1001, originalHeight: 667 };
    assert.deepEqual(parseLocalizations('{"point_2d": [336, 224]}', frame).points, [{ label: "", x: 334, y: 222 }]);
  });

  it("accepts a model entry instead of a name", () => {
    const entry = { ...absoluteFrame, model: "qwen-vl-max" };
    assert.deepEqual(parseLocalizations("[5, 5]", entry).points, [{ label: "", x: 10, y: 10 }]);
  });
});

describe("parseLocalizations: clamping and invalid entries", () => {
  it("clamps boxes that run past the image", () => {
    const reply = JSON.stringify([
      { bbox_2d: [700, 400, 900, 600], label: "right" },
      { bbox_2d: [-10, -5, 20, 30], label: "left" },
    ]);
    assert.deepEqual(parseLocalizations(reply, absoluteFrame).boxes, [
      { label: "right", x1: 1400, y1: 800, x2: 1500, y2: 1000 },
      { label: "left", x1: 0, y1: 0, x2: 40, y2: 60 },
    ]);
  });

  it("clamps points to the image", () => {
    assert.deepEqual(parseLocalizations('{"point_2d": [800, -3]}', absoluteFrame).points, [
      { label: "", x: 1500, y: 0 },
    ]);
  });

  it("orders swapped corners", () => {
    const result = parseLocalizations('{"bbox_2d": [500, 800, 100, 200]}', relativeFrame);
    assert.deepEqual(result.boxes, [{ label: "", x1: 200, y1: 200, x2: 1000, y2: 800 }]);
  });

  it("drops and counts unusable entries", () => {
    const reply = JSON.stringify([
      { bbox_2d: [1, 2, 3], label: "three numbers" },
      { bbox_2d: ["a", "b", "c", "d"], label: "words" },
      { point_2d: [1], label: "half a point" },
      { bbox_2d: [800, 600, 900, 700], label: "wholly outside" },
      { bbox_2d: [10, 10, 10, 50], label: "no width" },
      { bbox_2d: ["10", "20", "30", "40"], label: "numeric strings are fine" },
    ]);
    const result = parseLocalizations(`${reply} <points x1="5" alt="no y">p</points>`, absoluteFrame);
    assert.deepEqual(result.boxes, [{ label: "numeric strings are fine", x1: 20, y1: 40, x2: 60, y2: 80 }]);
    assert.deepEqual(result.points, []);
    assert.equal(result.skipped, 6);
  });

  it("rejects a frame without a usable size", () => {
    assert.throws(() => parseLocalizations("[]", { ...relativeFrame, originalWidth: 0 }), ConfigurationError);
    assert.throws(() => parseLocalizations("[]", { ...absoluteFrame, scaledHeight: Number.NaN }), /scaledHeight/);
  });
});

describe("parseLocalizations: hostile replies", () => {
  /*
   * A model can be led (by text in the image) to write brackets without end. Each bracket used to be
   * scanned to the end of the reply: 20,000 took 1.7 s, 100,000 about 40 s, of the thread that serves
   * everyone; 20,000 nested around one bad character took 12 s, every level parsed. Now each bracket's
   * close is learnt once. The bound is a hundred times what the parser needs, so load cannot fail it.
   */
  const hostile: [string, string, number][] = [
    ["100,000 unclosed brackets, then a box", `${"[".repeat(100_000)} [100, 100, 200, 200]`, 1],
    ["20,000 nested brackets around a bad character", `${"[".repeat(20_000)}x${"]".repeat(20_000)}`, 0],
    ["50,000 unclosed objects", '{"bbox_2d": '.repeat(50_000), 0],
  ];
  for (const [name, reply, boxes] of hostile) {
    it(`${name}: read in well under a second`, () => {
      const started = performance.now();
      const result = parseLocalizations(reply, relativeFrame);
      const seconds = (performance.now() - started) / 1000;
      assert.equal(result.boxes.length, boxes);
      assert.ok(seconds < 3, `took ${seconds.toFixed(1)} s`);
    });
  }
});
