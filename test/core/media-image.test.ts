import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { deflateSync } from "node:zlib";
import {
  buildChatRequest,
  estimateImageTokens,
  InputLimitError,
  MediaError,
  type ModelEntry,
  modelEntryOf,
  type PreparedImage,
  prepareImage,
  prepareMedia,
} from "@glance/core";
import sharp from "sharp";
import {
  animatedGif,
  avifImage,
  bmpImage,
  bombPng,
  cmykJpg,
  crc32,
  elongatedPng,
  emptyPng,
  exifRotatedJpg,
  photoJpg,
  photoPixels,
  ratio200Png,
  ratio201Png,
  screenshot4kPng,
  screenshot8kPng,
  screenshotPng,
  sixteenBitPng,
  svgDiagram,
  textNamedPng,
  tiffImage,
  tiny8Png,
  tiny11Png,
  truncatedJpg,
  truncatedPng,
  webpImage,
} from "../support/media-factory.js";

const model = "qwen3-vl-plus";

/** What the prepared bytes really are, decoded independently of the preparation code. */
async function decoded(image: PreparedImage) {
  const metadata = await sharp(image.data).metadata();
  return {
    format: metadata.format,
    width: metadata.width,
    height: metadata.height,
    space: metadata.space,
    depth: metadata.depth,
  };
}

async function pixelAt(data: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data: pixel } = await sharp(data)
    .extract({ left: x, top: y, width: 1, height: 1 })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return [pixel[0] ?? -1, pixel[1] ?? -1, pixel[2] ?? -1];
}

function assertColourNear(actual: [number, number, number], expected: [number, number, number], label: string): void {
  const distance = Math.max(...actual.map((value, index) => Math.abs(value - (expected[index] ?? 0))));
  assert.ok(distance <= 40, `${label}: expected about ${expected.join(",")}, got ${actual.join(",")}`);
}

describe("prepareImage: size equals the token estimate", () => {
  const cases: [string, () => Promise<string>, string, { maxPixels?: number; highResolution?: boolean }][] = [
    ["screenshot", screenshotPng, "png", {}],
    ["photo", photoJpg, "jpeg", {}],
    ["4K screenshot", screenshot4kPng, "png", {}],
    ["8K screenshot, high resolution", screenshot8kPng, "png", { highResolution: true }],
    ["photo with a small max_pixels", photoJpg, "jpeg", { maxPixels: 200_000 }],
    ["11x11 (scaled up to the 4-token minimum)", tiny11Png, "png", {}],
    ["200:1", ratio200Png, "png", {}],
    ["animated GIF", animatedGif, "gif", {}],
    ["CMYK JPEG", cmykJpg, "jpeg", {}],
    ["16-bit PNG", sixteenBitPng, "png", {}],
    ["BMP", bmpImage, "bmp", {}],
    ["SVG", svgDiagram, "svg", {}],
    ["WEBP", webpImage, "webp", {}],
    ["AVIF", avifImage, "avif", {}],
    ["TIFF", tiffImage, "tiff", {}],
  ];
  for (const [label, make, format, scaling] of cases) {
    test(label, async () => {
      const prepared = await prepareImage(await make(), { model, ...scaling });
      const expected = estimateImageTokens({
        model,
        width: prepared.originalWidth,
        height: prepared.originalHeight,
        ...scaling,
      });
      assert.equal(prepared.kind, "image");
      assert.equal(prepared.originalFormat, format);
      assert.equal(prepared.width, expected.width);
      assert.equal(prepared.height, expected.height);
      // The bytes really are that size, in the format they claim, 8-bit sRGB.
      const actual = await decoded(prepared);
      assert.equal(actual.width, expected.width);
      assert.equal(actual.height, expected.height);
      assert.equal(`image/${actual.format}`, prepared.mimeType);
      assert.equal(actual.space, "srgb");
      assert.equal(actual.depth, "uchar");
      // Sending the prepared image costs what the original would have: scaling it again changes nothing.
      const again = estimateImageTokens({ model, width: prepared.width, height: prepared.height, ...scaling });
      assert.equal(again.tokens, expected.tokens);
      assert.equal(again.width, prepared.width);
      assert.equal(again.height, prepared.height);
    });
  }
});

describe("prepareImage: encoding choice and size", () => {
  test("a screenshot is sent as lossless PNG", async () => {
    const prepared = await prepareImage(await screenshotPng(), { model });
    assert.equal(prepared.mimeType, "image/png");
  });

  test("a screenshot with gradients and an embedded photo (tens of thousands of colours) is still lossless PNG", async () => {
    const photo = await sharp(await photoPixels(400, 260, 5), { raw: { width: 400, height: 260, channels: 3 } })
      .png()
      .toBuffer();
    // A vertical gradient band adds hundreds more colours, as window chrome and wallpapers do.
    const gradient = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="120"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#5b7fbf"/><stop offset="1" stop-color="#1d2340"/></linearGradient></defs><rect width="1280" height="120" fill="url(#g)"/></svg>`,
    );
    const busy = await sharp(await screenshotPng())
      .composite([
        { input: photo, left: 820, top: 420 },
        { input: gradient, left: 0, top: 680 },
      ])
      .png()
      .toBuffer();
    const raw = await sharp(busy).raw().toBuffer({ resolveWithObject: true });
    const colours = new Set<number>();
    for (let offset = 0; offset < raw.data.length; offset += raw.info.channels) {
      colours.add(((raw.data[offset] ?? 0) << 16) | ((raw.data[offset + 1] ?? 0) << 8) | (raw.data[offset + 2] ?? 0));
    }
    assert.ok(colours.size > 20_000, `only ${colours.size} colours: the input does not test the rule`);
    const prepared = await prepareImage(busy, { model });
    assert.equal(prepared.mimeType, "image/png");
  });

  test("an opaque RGBA screenshot is sent as RGB PNG with the same pixels", async () => {
    const rgba = await sharp(await screenshotPng())
      .ensureAlpha()
      .png()
      .toBuffer();
    assert.equal((await sharp(rgba).metadata()).channels, 4);
    const prepared = await prepareImage(rgba, { model });
    assert.equal(prepared.mimeType, "image/png");
    assert.equal((await sharp(prepared.data).metadata()).channels, 3);
    // The colour channels are exactly those of scaling the same picture without the alpha channel.
    const fromRgb = await prepareImage(await screenshotPng(), { model });
    assert.deepEqual(await sharp(prepared.data).raw().toBuffer(), await sharp(fromRgb.data).raw().toBuffer());
  });

  test("a transparent PNG keeps its alpha channel", async () => {
    const transparent = await sharp({
      create: { width: 200, height: 120, channels: 4, background: { r: 20, g: 90, b: 200, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const prepared = await prepareImage(transparent, { model });
    assert.equal(prepared.mimeType, "image/png");
    assert.equal((await sharp(prepared.data).metadata()).channels, 4);
  });

  test("a photo is sent as JPEG", async () => {
    const prepared = await prepareImage(await photoJpg(), { model });
    assert.equal(prepared.mimeType, "image/jpeg");
  });

  test("the 4K screenshot drops bytes at identical tokens, and its text is still PNG", async () => {
    const path = await screenshot4kPng();
    const prepared = await prepareImage(path, { model });
    const original = estimateImageTokens({ model, width: 3840, height: 2160 });
    assert.equal(prepared.originalWidth, 3840);
    assert.equal(prepared.originalHeight, 2160);
    assert.equal(prepared.mimeType, "image/png");
    assert.ok(
      prepared.data.length < prepared.originalBytes,
      `${prepared.data.length} bytes sent should be fewer than the ${prepared.originalBytes} of the source`,
    );
    assert.equal(
      estimateImageTokens({ model, width: prepared.width, height: prepared.height }).tokens,
      original.tokens,
    );
  });

  test("the base64 limit is kept by stepping JPEG quality down", async () => {
    const base = modelEntryOf(model);
    const tight: ModelEntry = { ...base, image: { ...base.image, base64MaxBytes: 150_000 } };
    const roomy = await prepareImage(await photoJpg(), { model });
    const squeezed = await prepareImage(await photoJpg(), { model: tight });
    const dataUrlLength = `data:${squeezed.mimeType};base64,${squeezed.data.toString("base64")}`.length;
    assert.ok(roomy.data.length > 150_000, "the test needs a photo that does not fit at quality 90");
    assert.ok(dataUrlLength <= 150_000, `data URL of ${dataUrlLength} characters`);
    assert.equal(squeezed.mimeType, "image/jpeg");
    assert.equal(squeezed.width, roomy.width);
  });

  test("an image that cannot fit the base64 limit at all is an InputLimitError", async () => {
    const base = modelEntryOf(model);
    const impossible: ModelEntry = { ...base, image: { ...base.image, base64MaxBytes: 2_000 } };
    await assert.rejects(prepareImage(await photoJpg(), { model: impossible }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "image-base64-size");
      assert.match(error.message, /base64/);
      assert.match(error.message, /2000/);
      assert.match(error.fix, /maxPixels/);
      return true;
    });
  });
});

describe("prepareImage: conversions keep the picture", () => {
  test("EXIF orientation 6 swaps width and height and turns the pixels", async () => {
    const prepared = await prepareImage(await exifRotatedJpg(), { model });
    assert.equal(prepared.originalWidth, 400);
    assert.equal(prepared.originalHeight, 600);
    assert.ok(prepared.height > prepared.width);
    // Stored: red left, blue right. Turned 90° clockwise: red on top, blue below.
    assertColourNear(await pixelAt(prepared.data, prepared.width / 2, 10), [255, 0, 0], "top");
    assertColourNear(await pixelAt(prepared.data, prepared.width / 2, prepared.height - 10), [0, 0, 255], "bottom");
  });

  test("an animated GIF becomes its first frame", async () => {
    const prepared = await prepareImage(await animatedGif(), { model });
    assertColourNear(await pixelAt(prepared.data, 20, 20), [255, 0, 0], "first frame is red");
  });

  test("a BMP keeps its colours (channel order converted)", async () => {
    const prepared = await prepareImage(await bmpImage(), { model });
    assertColourNear(await pixelAt(prepared.data, 20, 20), [0, 255, 0], "left half");
    assertColourNear(await pixelAt(prepared.data, prepared.width - 20, 20), [255, 0, 255], "right half");
  });

  test("a CMYK JPEG comes out as sRGB with the colours of its RGB source", async () => {
    const cmyk = await prepareImage(await cmykJpg(), { model });
    const prepared = await sharp(cmyk.data).raw().toBuffer({ resolveWithObject: true });
    assert.equal(prepared.info.channels, 3);
    // The CMYK file was made from these pixels; a CMYK file misread as RGB would differ wildly.
    const source = await sharp(await photoPixels(800, 533), { raw: { width: 800, height: 533, channels: 3 } })
      .resize(cmyk.width, cmyk.height, { fit: "fill" })
      .raw()
      .toBuffer();
    let difference = 0;
    for (let index = 0; index < source.length; index += 1) {
      difference += Math.abs((source[index] ?? 0) - (prepared.data[index] ?? 0));
    }
    const meanDifference = difference / source.length;
    assert.ok(meanDifference < 20, `mean channel difference ${meanDifference.toFixed(1)}`);
  });

  test("a Buffer source works and is named by the caller", async () => {
    const bytes = await readFile(await screenshotPng());
    const prepared = await prepareImage(bytes, { model, name: "clipboard" });
    assert.equal(prepared.name, "clipboard");
    assert.equal(prepared.originalBytes, bytes.length);
  });

  test("prepareMedia sends an image to image preparation", async () => {
    const prepared = await prepareMedia(await screenshotPng(), { model });
    assert.equal(prepared.kind, "image");
  });
});

describe("prepareImage: refusals", () => {
  async function refusal(make: () => Promise<string>, options: { maxInputPixels?: number } = {}): Promise<unknown> {
    try {
      await prepareImage(await make(), { model, ...options });
    } catch (error) {
      return error;
    }
    assert.fail("expected the image to be refused");
  }

  test("8x8 is below the 10 px minimum", async () => {
    const error = await refusal(tiny8Png);
    assert.ok(error instanceof InputLimitError);
    assert.equal(error.limitCode, "image-width");
    assert.equal(error.limit, "greater than 10 px");
    assert.match(error.actual, /^8 px/);
    assert.match(error.message, /^tiny-8x8\.png: /);
  });

  test("4000x15 and 201:1 break the 200:1 aspect ratio limit", async () => {
    for (const [make, ratio] of [
      [elongatedPng, "266.67:1"],
      [ratio201Png, "201.00:1"],
    ] as const) {
      const error = await refusal(make);
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "image-aspect-ratio");
      assert.equal(error.limit, "at most 200:1");
      assert.match(error.actual, new RegExp(`^${ratio.replace(".", "\\.")}`));
    }
  });

  test("truncated PNG and JPEG are unreadable media, not half-grey pictures", async () => {
    for (const make of [truncatedPng, truncatedJpg]) {
      const error = await refusal(make);
      assert.ok(error instanceof MediaError, String(error));
      assert.equal(error.code, "unreadable-media");
      assert.match(error.message, /truncated|damaged/);
    }
  });

  test("a text file named .png and an empty file are unreadable media", async () => {
    for (const make of [textNamedPng, emptyPng]) {
      const error = await refusal(make);
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, "unreadable-media");
    }
  });

  test("a decompression bomb is refused from its header", async () => {
    const started = performance.now();
    const error = await refusal(bombPng);
    assert.ok(error instanceof InputLimitError);
    assert.equal(error.limitCode, "image-pixel-count");
    assert.match(error.actual, /40000x40000/);
    assert.match(error.limit, /100\.0 megapixels/);
    // Decoding 1.6 gigapixels would take far longer than reading a header.
    assert.ok(performance.now() - started < 2_000);
  });

  test("maxInputPixels lowers the bomb limit", async () => {
    const error = await refusal(screenshot4kPng, { maxInputPixels: 8_000_000 });
    assert.ok(error instanceof InputLimitError);
    assert.equal(error.limitCode, "image-pixel-count");
    assert.match(error.actual, /3840x2160/);
  });
});

describe("prepareImage keepOriginalWhenAccepted: originals the service takes as they are", () => {
  const keep = { model, keepOriginalWhenAccepted: true } as const;

  /** A photo JPEG that carries GPS coordinates in its EXIF, as phone pictures do. */
  async function photoWithGps(): Promise<Buffer> {
    return sharp(await photoPixels(800, 533), { raw: { width: 800, height: 533, channels: 3 } })
      .jpeg({ quality: 90 })
      .withExif({ IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 2964/100" } })
      .toBuffer();
  }

  test("a 4K PNG screenshot is sent byte for byte, at the tokens of the re-encoded one, without decoding", async () => {
    const bytes = await readFile(await screenshot4kPng());
    const reencodeStarted = performance.now();
    const reencoded = await prepareImage(bytes, { model });
    const reencodeMilliseconds = performance.now() - reencodeStarted;
    const keepStarted = performance.now();
    const kept = await prepareImage(bytes, keep);
    const keepMilliseconds = performance.now() - keepStarted;

    assert.ok(kept.data.equals(bytes), "the original bytes are sent untouched");
    assert.equal(kept.mimeType, "image/png");
    assert.equal(kept.originalWidth, 3840);
    assert.equal(kept.originalHeight, 2160);
    // The size the model will see is the service's own scaling of the original.
    const scaled = estimateImageTokens({ model, width: 3840, height: 2160 });
    assert.deepEqual([kept.width, kept.height], [scaled.width, scaled.height]);
    assert.deepEqual([kept.width, kept.height], [reencoded.width, reencoded.height]);
    const estimateOf = async (image: PreparedImage) =>
      (await buildChatRequest({ model, prompt: "What is on the screen?", inputs: [image] })).estimate.totalTokens;
    assert.equal(await estimateOf(kept), await estimateOf(reencoded));
    // A header read against a full decode, resize and PNG encode of 8 megapixels.
    assert.ok(
      keepMilliseconds * 5 < reencodeMilliseconds,
      `kept in ${keepMilliseconds.toFixed(1)} ms, re-encoded in ${reencodeMilliseconds.toFixed(1)} ms`,
    );
  });

  test("a plain JPEG photo without metadata is kept, through prepareMedia too", async () => {
    const bytes = await readFile(await photoJpg());
    const kept = await prepareMedia(bytes, keep);
    assert.equal(kept.kind, "image");
    assert.ok(kept.kind === "image" && kept.data.equals(bytes));
    assert.equal(kept.kind === "image" ? kept.mimeType : undefined, "image/jpeg");
  });

  test("a JPEG with EXIF GPS is re-encoded, and the GPS is gone", async () => {
    const bytes = await photoWithGps();
    assert.ok((await sharp(bytes).metadata()).exif !== undefined, "the test photo carries EXIF");
    const prepared = await prepareImage(bytes, keep);
    assert.ok(!prepared.data.equals(bytes));
    assert.equal((await sharp(prepared.data).metadata()).exif, undefined);
  });

  test("a PNG's text chunks (tEXt, zTXt, iTXt) are dropped from the original sent, losslessly", async () => {
    const original = await readFile(await screenshotPng());
    const secret = "ghp_secretTokenFromTheScreenshotTool";
    // Real chunks as tools write them, with valid CRCs, between the header and the image data.
    const withText = withChunksAfterHeader(original, [
      pngChunk("tEXt", Buffer.from(`Comment\0${secret}`, "latin1")),
      pngChunk("zTXt", Buffer.concat([Buffer.from("Author\0\0", "latin1"), deflateSync(`dana ${secret}`)])),
      pngChunk("iTXt", Buffer.from(`Title\0\0\0\0\0Window: ${secret}`, "utf8")),
    ]);
    assert.ok(withText.includes(secret), "the test PNG carries the secret");
    const prepared = await prepareImage(withText, keep);
    assert.equal(prepared.mimeType, "image/png");
    assert.ok(!prepared.data.includes(secret), "the secret is not sent");
    assert.ok(!prepared.data.includes("tEXt") && !prepared.data.includes("zTXt") && !prepared.data.includes("iTXt"));
    // Chunks are dropped whole: the rest is the original, byte for byte, and still a valid PNG.
    assert.ok(prepared.data.equals(original), "exactly the original without the text chunks");
    const strict = await sharp(prepared.data, { failOn: "error" }).raw().toBuffer();
    assert.ok(strict.equals(await sharp(original).raw().toBuffer()), "the same pixels");
  });

  test("a JPEG with EXIF orientation 6 is turned upright, not kept", async () => {
    const bytes = await readFile(await exifRotatedJpg());
    const prepared = await prepareImage(bytes, keep);
    assert.ok(!prepared.data.equals(bytes));
    assert.deepEqual([prepared.originalWidth, prepared.originalHeight], [400, 600]);
    const seen = await decoded(prepared);
    assert.deepEqual([seen.width, seen.height], [prepared.width, prepared.height]);
  });

  test("a 9000x5000 PNG (beyond 8K) is re-encoded at the model's size", async () => {
    const bytes = await sharp({ create: { width: 9000, height: 5000, channels: 3, background: "#3366cc" } })
      .png()
      .toBuffer();
    const prepared = await prepareImage(bytes, keep);
    assert.ok(!prepared.data.equals(bytes));
    const seen = await decoded(prepared);
    assert.deepEqual([seen.width, seen.height], [prepared.width, prepared.height]);
    assert.ok(prepared.width < 9000);
  });

  test("CMYK and 16-bit files are converted, and a truncated PNG is still refused", async () => {
    for (const make of [cmykJpg, sixteenBitPng]) {
      const bytes = await readFile(await make());
      const prepared = await prepareImage(bytes, keep);
      assert.ok(!prepared.data.equals(bytes), make.name);
      const seen = await decoded(prepared);
      assert.deepEqual([seen.space, seen.depth], ["srgb", "uchar"], make.name);
    }
    await assert.rejects(prepareImage(await truncatedPng(), keep), (error: unknown) => {
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, "unreadable-media");
      return true;
    });
  });

  test("without the option (the default), the 4K screenshot is re-encoded as before", async () => {
    const bytes = await readFile(await screenshot4kPng());
    const prepared = await prepareImage(bytes, { model, keepOriginalWhenAccepted: false });
    assert.ok(prepared.data.length < bytes.length);
    const seen = await decoded(prepared);
    assert.deepEqual([seen.width, seen.height], [prepared.width, prepared.height]);
  });
});

/** One PNG chunk: length, type, data, CRC over type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** The PNG with chunks inserted after its IHDR (signature 8 bytes, IHDR 25 bytes). */
function withChunksAfterHeader(png: Buffer, chunks: Buffer[]): Buffer {
  return Buffer.concat([png.subarray(0, 33), ...chunks, png.subarray(33)]);
}
