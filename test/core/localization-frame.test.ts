import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConfigurationError,
  defaultCatalogue,
  localizationFrameOf,
  mapBoxToOriginal,
  mapPointToOriginal,
  type PreparedImage,
  parseLocalizations,
  prepareImage,
} from "@glance/core";
import sharp from "sharp";

/** A real prepared image: the model's scaled size comes from core's own preparation, not from the test. */
async function prepared(model: string, width: number, height: number): Promise<PreparedImage> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer();
  return prepareImage(png, { model, name: `${width}x${height}.png` });
}

describe("localizationFrameOf and mapping to the original image", () => {
  it("maps a relative-1000 model's grid to the original, whatever size the model saw", async () => {
    const image = await prepared("qwen3-vl-plus", 2000, 1000);
    const frame = localizationFrameOf("qwen3-vl-plus", image);
    assert.deepEqual(
      [frame.scaledWidth, frame.scaledHeight, frame.originalWidth, frame.originalHeight],
      [image.width, image.height, 2000, 1000],
    );
    // x / 1000 of 2000 px and y / 1000 of 1000 px: x doubles, y stays.
    assert.deepEqual(mapBoxToOriginal([100, 200, 500, 800], frame, "cat"), {
      label: "cat",
      x1: 200,
      y1: 200,
      x2: 1000,
      y2: 800,
    });
    assert.deepEqual(mapPointToOriginal([250, 500], frame, "nose"), { label: "nose", x: 500, y: 500 });
  });

  it("maps an absolute-pixel model's pixels of the scaled image to the original", async () => {
    const image = await prepared("qwen2.5-vl-72b-instruct", 2000, 1000);
    assert.ok(image.width < 2000, "the fixture must be scaled down for the model, or the mapping proves nothing");
    const frame = localizationFrameOf("qwen2.5-vl-72b-instruct", image);
    // The whole scaled image is the whole original; its centre is the original's centre.
    assert.deepEqual(mapBoxToOriginal([0, 0, image.width, image.height], frame), {
      label: "",
      x1: 0,
      y1: 0,
      x2: 2000,
      y2: 1000,
    });
    assert.deepEqual(mapPointToOriginal([image.width / 2, image.height / 2], frame), { label: "", x: 1000, y: 500 });
  });

  it("reads the coordinate system from the catalogue entry, not from the model's series", async () => {
    // 640x320 is within the model's pixel budget, so the model sees it at that size.
    const image = await prepared("qwen3-vl-plus", 640, 320);
    assert.deepEqual([image.width, image.height], [640, 320]);
    const relative = defaultCatalogue.resolve("qwen3-vl-plus");
    const pixels = { ...relative, localizationCoordinates: "absolute-pixels" as const };
    const box = [0, 0, 640, 320];
    assert.deepEqual(mapBoxToOriginal(box, localizationFrameOf(pixels, image)), {
      label: "",
      x1: 0,
      y1: 0,
      x2: 640,
      y2: 320,
    });
    // The same numbers on the relative grid: 640/1000 of 640 px and 320/1000 of 320 px.
    assert.deepEqual(mapBoxToOriginal(box, localizationFrameOf(relative, image)), {
      label: "",
      x1: 0,
      y1: 0,
      x2: 410,
      y2: 102,
    });
  });

  it("orders corners, clamps to the image, and drops what cannot be drawn", async () => {
    const frame = localizationFrameOf("qwen3.5-plus", await prepared("qwen3.5-plus", 2000, 1000));
    assert.deepEqual(mapBoxToOriginal([500, 800, 100, 200], frame), { label: "", x1: 200, y1: 200, x2: 1000, y2: 800 });
    assert.deepEqual(mapBoxToOriginal([-50, -50, 1200, 1200], frame), { label: "", x1: 0, y1: 0, x2: 2000, y2: 1000 });
    assert.equal(mapBoxToOriginal([100, 100, 100, 400], frame), undefined, "no width");
    assert.equal(mapBoxToOriginal([1100, 100, 1200, 400], frame), undefined, "wholly right of the image");
    assert.equal(mapBoxToOriginal([1, 2, 3], frame), undefined, "three numbers");
    assert.equal(mapBoxToOriginal([1, 2, 3, Number.NaN], frame), undefined, "not a number");
    assert.equal(mapPointToOriginal([1, 2, 3], frame), undefined, "a point has two numbers");
  });

  it("gives parseLocalizations the same mapping as mapBoxToOriginal", async () => {
    const image = await prepared("qwen-vl-max", 1500, 1000);
    const frame = localizationFrameOf("qwen-vl-max", image);
    const box = [10, 20, 300, 400];
    const parsed = parseLocalizations(JSON.stringify([{ bbox_2d: box, label: "cup" }]), frame);
    assert.deepEqual(parsed.boxes, [mapBoxToOriginal(box, frame, "cup")]);
  });

  it("refuses an unknown model and sizes that are not positive pixels", () => {
    const sizes = { width: 100, height: 100, originalWidth: 200, originalHeight: 200 };
    assert.throws(() => localizationFrameOf("gpt-4o", sizes), ConfigurationError);
    assert.throws(
      () => localizationFrameOf("qwen3-vl-plus", { ...sizes, originalHeight: 0 }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.setting === "originalHeight" &&
        /originalHeight is 0; it must be a positive number of pixels/.test(error.message),
    );
  });
});
