import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { drawLocalizations, localizationOverlay, MediaError } from "@glance/core";
import sharp from "sharp";

const grey = { r: 128, g: 128, b: 128 };

async function solidImage(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: grey } })
    .png()
    .toBuffer();
}

interface Pixels {
  width: number;
  height: number;
  at(x: number, y: number): [number, number, number];
}

async function pixelsOf(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at(x, y) {
      const offset = (y * info.width + x) * info.channels;
      return [data[offset] ?? -1, data[offset + 1] ?? -1, data[offset + 2] ?? -1];
    },
  };
}

function isGrey([red, green, blue]: [number, number, number]): boolean {
  return red === grey.r && green === grey.g && blue === grey.b;
}

function assertColor(actual: [number, number, number], hex: string, where: string): void {
  const expected = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16));
  const distance = Math.max(...actual.map((value, index) => Math.abs(value - (expected[index] ?? 0))));
  assert.ok(distance <= 3, `${where}: ${actual.join(",")} is not ${hex}`);
}

/* The first two default colours, in order of first appearance of a label. */
const firstColor = "#e6194b";
const secondColor = "#3cb44b";

describe("drawLocalizations", () => {
  it("draws box edges and point markers, and leaves the rest of the image alone", async () => {
    const image = await solidImage(400, 300);
    const drawn = await drawLocalizations(image, {
      boxes: [{ label: "cat", x1: 100, y1: 50, x2: 300, y2: 250 }],
      points: [{ label: "nose", x: 50, y: 280 }],
    });
    assert.deepEqual((await sharp(drawn).metadata()).format, "png");
    const pixels = await pixelsOf(drawn);
    assert.equal(pixels.width, 400);
    assert.equal(pixels.height, 300);

    // A 2 px stroke centred on each edge covers the pixel rows and columns on both sides of the line.
    assertColor(pixels.at(200, 50), firstColor, "top edge");
    assertColor(pixels.at(200, 249), firstColor, "bottom edge");
    assertColor(pixels.at(100, 150), firstColor, "left edge");
    assertColor(pixels.at(299, 150), firstColor, "right edge");
    assertColor(pixels.at(50, 280), secondColor, "point marker");

    for (const [x, y, where] of [
      [200, 150, "inside the box"],
      [380, 20, "top-right corner"],
      [10, 10, "top-left corner"],
      [390, 290, "bottom-right corner"],
      [200, 275, "below the box"],
    ] as const) {
      assert.ok(isGrey(pixels.at(x, y)), `${where} changed to ${pixels.at(x, y).join(",")}`);
    }
  });

  it("gives each label its own colour and one label one colour", async () => {
    const drawn = await drawLocalizations(await solidImage(400, 300), {
      boxes: [
        { label: "a", x1: 20, y1: 40, x2: 120, y2: 140 },
        { label: "b", x1: 200, y1: 40, x2: 300, y2: 140 },
        { label: "a", x1: 20, y1: 180, x2: 120, y2: 280 },
      ],
      points: [],
    });
    const pixels = await pixelsOf(drawn);
    assertColor(pixels.at(20, 100), firstColor, "first a");
    assertColor(pixels.at(200, 100), secondColor, "b");
    assertColor(pixels.at(20, 230), firstColor, "second a");
  });

  it("scales the stroke with the image", async () => {
    const box = { label: "", x1: 100, y1: 100, x2: 300, y2: 300 };
    // Default stroke: 2 px up to 624 px on the shorter side; 1500 / 250 = 6 px on a 2000x1500 image.
    const small = await pixelsOf(await drawLocalizations(await solidImage(400, 400), { boxes: [box], points: [] }));
    const large = await pixelsOf(await drawLocalizations(await solidImage(2000, 1500), { boxes: [box], points: [] }));
    assert.ok(isGrey(small.at(102, 200)), "a 2 px stroke reaches only column 100");
    assertColor(large.at(102, 200), firstColor, "a 6 px stroke reaches column 102");
    assert.ok(isGrey(large.at(104, 200)), "but not column 104");
  });

  it("draws a label full of markup without breaking the overlay", async () => {
    const label = '<script>&"';
    const overlay = localizationOverlay(400, 300, { boxes: [{ label, x1: 10, y1: 50, x2: 90, y2: 90 }], points: [] });
    assert.ok(overlay.includes("&lt;script&gt;&amp;&quot;"), overlay);
    assert.ok(!overlay.includes("<script>"));

    // Unescaped, this label would make the SVG malformed and sharp would refuse to composite it.
    const drawn = await drawLocalizations(await solidImage(400, 300), {
      boxes: [{ label, x1: 10, y1: 50, x2: 90, y2: 90 }],
      points: [],
    });
    const pixels = await pixelsOf(drawn);
    // The label's tag sits above the box, starting at its left edge.
    assertColor(pixels.at(12, 40), firstColor, "label tag");
  });

  it("draws on the upright image when EXIF says it is rotated", async () => {
    // Stored 200 wide and 100 high; orientation 6 means it is shown rotated 90 degrees: 100 wide, 200 high.
    const rotated = await sharp({ create: { width: 200, height: 100, channels: 3, background: grey } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const drawn = await drawLocalizations(rotated, {
      boxes: [{ label: "", x1: 10, y1: 150, x2: 90, y2: 190 }],
      points: [],
    });
    const pixels = await pixelsOf(drawn);
    assert.equal(pixels.width, 100);
    assert.equal(pixels.height, 200);
    assertColor(pixels.at(50, 190), firstColor, "bottom edge near the foot of the upright image");
  });

  it("reports bytes that are not an image", async () => {
    await assert.rejects(
      drawLocalizations(Buffer.from("not an image"), { boxes: [], points: [] }, { name: "reply.png" }),
      (error: unknown) => error instanceof MediaError && error.message.startsWith("reply.png: could not draw"),
    );
  });
});
