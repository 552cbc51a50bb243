import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  buildChatRequest,
  estimateMedia,
  estimateMediaRequest,
  GlanceError,
  type PrepareMediaOptions,
  prepareMedia,
} from "@glance/core";
import fc from "fast-check";
import sharp from "sharp";
import {
  animatedGif,
  avifImage,
  bmpImage,
  photoJpg,
  photoPixels,
  screenshot4kPng,
  screenshotPng,
  svgDiagram,
  tiffImage,
  truncatedJpg,
  truncatedPng,
  video10sMp4,
  videoWebm,
  webpImage,
} from "../support/media-factory.js";

/*
 * estimateMedia reads headers only, yet must give exactly the tokens and sizes that preparing the same
 * file gives, and refuse the same broken files. Each case is prepared for real (decoded, scaled,
 * encoded) and put in a request; the estimate must match that request's count to the token.
 */

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), "glance-estimate-test-"));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function written(name: string, bytes: Buffer): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, bytes);
  return path;
}

/** A 600x400 JPEG stored with EXIF orientation n (5 to 8 turn it a quarter, so it shows as 400x600). */
async function orientedJpeg(orientation: number): Promise<string> {
  const pixels = await photoPixels(600, 400, orientation);
  const bytes = await sharp(pixels, { raw: { width: 600, height: 400, channels: 3 } })
    .jpeg({ quality: 85 })
    .withMetadata({ orientation })
    .toBuffer();
  return written(`orientation-${orientation}.jpg`, bytes);
}

/** An SVG with only a viewBox: librsvg gives it a size from the viewBox. */
const viewBoxSvg = () =>
  written(
    "viewbox-only.svg",
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1200 300"><rect width="1200" height="300" fill="#123456"/></svg>',
    ),
  );

/** An SVG with neither size nor viewBox: it is rasterized at the renderer's default size. */
const sizelessSvg = () =>
  written(
    "sizeless.svg",
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle cx="50" cy="50" r="40" fill="#c00"/></svg>'),
  );

/** A three-frame animated WebP, 320x240. */
const animatedWebp = async () => {
  const frame = (colour: string) =>
    sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
      .png()
      .toBuffer();
  const bytes = await sharp([await frame("#ff0000"), await frame("#00ff00"), await frame("#0000ff")], {
    join: { animated: true },
  })
    .webp({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();
  return written("animated.webp", bytes);
};

const imageCases: { name: string; make: () => Promise<string>; frames?: number }[] = [
  { name: "PNG screenshot", make: screenshotPng },
  { name: "PNG 4K screenshot", make: screenshot4kPng },
  { name: "JPEG photo", make: photoJpg },
  ...[5, 6, 7, 8].map((orientation) => ({
    name: `JPEG EXIF orientation ${orientation}`,
    make: () => orientedJpeg(orientation),
  })),
  { name: "GIF animated", make: animatedGif, frames: 2 },
  { name: "WEBP", make: webpImage },
  { name: "WEBP animated", make: animatedWebp, frames: 3 },
  { name: "AVIF", make: avifImage },
  { name: "TIFF", make: tiffImage },
  { name: "SVG with a size", make: svgDiagram },
  { name: "SVG with a viewBox only", make: viewBoxSvg },
  { name: "SVG without a size", make: sizelessSvg },
  { name: "BMP", make: bmpImage },
];

const models = ["qwen3-vl-plus", "qwen2.5-vl-72b-instruct", "qwen-vl-max", "qwen3.5-plus", "qwen-vl-ocr"];
const optionSets: { label: string; options: Partial<PrepareMediaOptions> }[] = [
  { label: "defaults", options: {} },
  { label: "max_pixels 200,000", options: { maxPixels: 200_000 } },
  { label: "high resolution", options: { highResolution: true } },
  { label: "originals kept when accepted", options: { keepOriginalWhenAccepted: true } },
];

/** Tokens and sizes as the prepared request has them: the reference the estimate must match. */
async function preparedReference(path: string, options: PrepareMediaOptions) {
  const prepared = await prepareMedia(path, options);
  const request = await buildChatRequest({
    model: options.model,
    prompt: "What is this?",
    inputs: [prepared],
    ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
    ...(options.highResolution === undefined ? {} : { highResolution: options.highResolution }),
  });
  return { prepared, request };
}

describe("estimateMedia: the same tokens as preparing, from headers", () => {
  for (const imageCase of imageCases) {
    test(imageCase.name, async () => {
      const path = await imageCase.make();
      for (const model of models) {
        for (const { label, options: extra } of optionSets) {
          const options: PrepareMediaOptions = { model, ...extra };
          const { prepared, request } = await preparedReference(path, options);
          const estimate = await estimateMedia(path, options);
          const where = `${imageCase.name}, ${model}, ${label}`;
          assert.equal(estimate.kind, "image", where);
          if (estimate.kind !== "image" || prepared.kind !== "image") return;
          assert.equal(estimate.tokens, request.estimate.inputs[0]?.tokens, where);
          assert.deepEqual(
            [estimate.width, estimate.height, estimate.originalWidth, estimate.originalHeight],
            [prepared.width, prepared.height, prepared.originalWidth, prepared.originalHeight],
            where,
          );
          assert.equal(estimate.format, prepared.originalFormat, where);
          assert.equal(estimate.sentAsItIs, prepared.data.equals(await readFile(path)), `${where}: sent as it is`);
          // The whole request too: text, template and limits counted the same way.
          const planned = await estimateMediaRequest({
            model,
            prompt: "What is this?",
            inputs: [estimate],
            ...(options.maxPixels === undefined ? {} : { maxPixels: options.maxPixels }),
            ...(options.highResolution === undefined ? {} : { highResolution: options.highResolution }),
          });
          assert.equal(planned.estimate.totalTokens, request.estimate.totalTokens, where);
        }
      }
      if (imageCase.frames !== undefined) {
        const estimate = await estimateMedia(path, { model: "qwen3-vl-plus" });
        assert.equal(estimate.kind === "image" ? estimate.frames : undefined, imageCase.frames);
      }
    });
  }

  test("an image in memory and on disk give the same estimate", async () => {
    const path = await photoJpg();
    const fromDisk = await estimateMedia(path, { model: "qwen3-vl-plus" });
    const fromMemory = await estimateMedia(await readFile(path), { model: "qwen3-vl-plus", name: "photo" });
    assert.deepEqual({ ...fromMemory, name: fromDisk.name }, fromDisk);
  });

  const videoCases: { name: string; make: () => Promise<string>; options: Partial<PrepareMediaOptions> }[] = [
    { name: "MP4 sent whole", make: video10sMp4, options: {} },
    { name: "MP4 sent whole at 0.5 fps", make: video10sMp4, options: { fps: 0.5 } },
    { name: "MP4 as frames", make: video10sMp4, options: { mode: "frames" } },
    { name: "MP4 as frames, at most 8", make: video10sMp4, options: { mode: "frames", maxFrames: 8 } },
    { name: "WebM (converted, or frames)", make: videoWebm, options: {} },
  ];
  for (const videoCase of videoCases) {
    test(`video: ${videoCase.name}`, async () => {
      const path = await videoCase.make();
      for (const model of ["qwen3-vl-plus", "qwen2.5-vl-72b-instruct"]) {
        const options: PrepareMediaOptions = { model, ...videoCase.options };
        const { prepared, request } = await preparedReference(path, options);
        const estimate = await estimateMedia(path, options);
        const where = `${videoCase.name}, ${model}`;
        assert.equal(estimate.kind, prepared.kind, where);
        assert.equal(estimate.tokens, request.estimate.inputs[0]?.tokens, where);
        if (estimate.kind === "frame-list" && prepared.kind === "frame-list") {
          assert.equal(estimate.frames, prepared.frames.length, where);
          assert.deepEqual([estimate.width, estimate.height], [prepared.width, prepared.height], where);
        }
        const planned = await estimateMediaRequest({ model, prompt: "What is this?", inputs: [estimate] });
        assert.equal(planned.estimate.totalTokens, request.estimate.totalTokens, where);
      }
    });
  }
});

describe("estimateMedia refuses broken files without decoding them", () => {
  /** Both must throw the same error class and code. */
  async function refusedAlike(path: string, what: string): Promise<GlanceError> {
    const options = { model: "qwen3-vl-plus" };
    const prepareError = await prepareMedia(path, options).then(
      () => undefined,
      (error: unknown) => error,
    );
    const estimateError = await estimateMedia(path, options).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(prepareError instanceof GlanceError, `${what}: preparing it must fail`);
    assert.ok(estimateError instanceof GlanceError, `${what}: estimating it must fail, but it gave a count`);
    assert.equal(estimateError.code, prepareError.code, `${what}: ${estimateError.message}`);
    assert.equal(estimateError.name, prepareError.name, what);
    assert.doesNotMatch(estimateError.message, /\n|\s at /, "one line, no stack");
    return estimateError;
  }

  const cutTo = async (make: () => Promise<string>, share: number, name: string) => {
    const whole = await readFile(await make());
    return written(name, whole.subarray(0, Math.floor(whole.length * share)));
  };

  const brokenCases: { name: string; make: () => Promise<string> }[] = [
    { name: "PNG cut to 60%", make: truncatedPng },
    {
      name: "PNG missing only its IEND chunk",
      make: () => cutTo(screenshotPng, 1, "x").then(dropTail(12, "no-iend.png")),
    },
    { name: "JPEG cut to 60%", make: truncatedJpg },
    { name: "JPEG missing only its EOI marker", make: () => cutTo(photoJpg, 1, "y").then(dropTail(2, "no-eoi.jpg")) },
    { name: "GIF cut to 60%", make: () => cutTo(animatedGif, 0.6, "cut.gif") },
    { name: "WEBP cut to 60%", make: () => cutTo(webpImage, 0.6, "cut.webp") },
    { name: "AVIF cut to 60%", make: () => cutTo(avifImage, 0.6, "cut.avif") },
    { name: "TIFF cut to 60%", make: () => cutTo(tiffImage, 0.6, "cut.tiff") },
    { name: "BMP cut to 60%", make: () => cutTo(bmpImage, 0.6, "cut.bmp") },
    {
      name: "PNG signature followed by garbage",
      make: () =>
        written(
          "fake.png",
          Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000, 0x41)]),
        ),
    },
    {
      name: "JPEG start marker followed by garbage",
      make: () => written("fake.jpg", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)])),
    },
    { name: "an MP4 cut in half", make: () => cutTo(video10sMp4, 0.5, "cut.mp4") },
    { name: "an OS/2 1.x BMP (12-byte core header)", make: () => written("core.bmp", os2CoreBmp(64, 32)) },
  ];
  for (const brokenCase of brokenCases) {
    test(brokenCase.name, async () => {
      await refusedAlike(await brokenCase.make(), brokenCase.name);
    });
  }

  test("a named pipe nobody writes to is refused at once, by estimates and preparation", {
    timeout: 20_000,
  }, async () => {
    const fifo = join(directory, "screen.png");
    execFileSync("mkfifo", [fifo]);
    try {
      for (const run of [estimateMedia, prepareMedia]) {
        await assert.rejects(run(fifo, { model: "qwen3-vl-plus" }), (error: unknown) => {
          assert.ok(error instanceof GlanceError, String(error));
          assert.match(error.message, /^screen\.png: .* is not a regular file\.$/);
          return true;
        });
      }
    } finally {
      await rm(fifo, { force: true });
    }
  });

  test("an OS/2 1.x BMP is named as such, with its real size", async () => {
    const error = await refusedAlike(await written("core.bmp", os2CoreBmp(64, 32)), "OS/2 BMP");
    assert.equal(error.code, "unsupported-media");
    assert.match(error.message, /OS\/2 1\.x bitmap \(12-byte header, 64x32\).*Convert it to PNG\.$/);
  });

  test("a truncated PNG's message says what is missing", async () => {
    const error = await refusedAlike(await truncatedPng(), "truncated PNG");
    assert.match(
      error.message,
      /truncated-screenshot\.png: the PNG file is truncated: .* needs [\d,]+ bytes, the file has [\d,]+/,
    );
  });
});

function dropTail(bytes: number, name: string) {
  return async (path: string) => {
    const whole = await readFile(path);
    return written(name, whole.subarray(0, whole.length - bytes));
  };
}

describe("estimateMedia reads a file on disk as it reads the same bytes in memory", () => {
  /*
   * A path is walked with positioned reads of small and large blocks (never read whole); bytes in memory
   * are walked directly. Whatever the bytes (cut anywhere, a header byte changed), both must give the
   * same estimate or the same refusal. The files are larger than one block (64 KB), with headers far
   * apart (PNG's 8 KB chunks), close together (GIF sub-blocks) and a JPEG's end marker 200 KB before
   * the end of the file (a trailer, as phones append).
   */
  const noisyGif = async () => {
    const noise = (seed: number) => {
      const pixels = Buffer.alloc(320 * 240 * 3);
      let state = seed;
      for (let index = 0; index < pixels.length; index += 1) {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        pixels[index] = state >> 16;
      }
      return sharp(pixels, { raw: { width: 320, height: 240, channels: 3 } })
        .png()
        .toBuffer();
    };
    const bytes = await sharp([await noise(1), await noise(2)], { join: { animated: true } })
      .gif({ delay: [100, 100] })
      .toBuffer();
    return written("noise.gif", bytes);
  };
  const jpegWithTrailer = async () =>
    written("trailer.jpg", Buffer.concat([await readFile(await photoJpg()), Buffer.alloc(200_000, 0x20)]));
  const files: { name: string; make: () => Promise<string> }[] = [
    { name: "png", make: screenshot4kPng },
    { name: "gif", make: noisyGif },
    { name: "jpg", make: jpegWithTrailer },
    { name: "webp", make: webpImage },
    { name: "tiff", make: tiffImage },
    { name: "bmp", make: bmpImage },
  ];

  async function outcome(source: Buffer | string) {
    return estimateMedia(source, { model: "qwen3-vl-plus", name: "input", keepOriginalWhenAccepted: true }).then(
      (estimate) => ({ estimate }),
      (error: unknown) => {
        assert.ok(error instanceof GlanceError, `not one of ours: ${String(error)}`);
        // sharp's own words name a file or a buffer; ours (the structural walk) must match exactly.
        return { code: error.code, message: error.message.includes("could not be decoded") ? "" : error.message };
      },
    );
  }

  test("cut anywhere or with a header byte changed, both give the same answer", async () => {
    const originals = await Promise.all(files.map(async (file) => readFile(await file.make())));
    const changed = join(directory, "changed");
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: files.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.record({ at: fc.nat({ max: 4096 }), value: fc.nat({ max: 255 }), fromEnd: fc.boolean() }), {
          maxLength: 2,
        }),
        async (which, keep, changes) => {
          const original = originals[which] as Buffer;
          const bytes = Buffer.from(original.subarray(0, Math.max(16, Math.ceil(original.length * keep))));
          for (const change of changes) {
            const at = change.fromEnd ? bytes.length - 1 - (change.at % bytes.length) : change.at % bytes.length;
            bytes[at] = change.value;
          }
          const path = `${changed}.${files[which]?.name}`;
          await writeFile(path, bytes);
          const fromDisk = await outcome(path);
          const fromMemory = await outcome(bytes);
          if (!("estimate" in fromDisk)) refused += 1;
          assert.deepEqual(fromDisk, fromMemory);
        },
      ),
      { numRuns: 150, seed: 20261208 },
    );
    // The property must have met both answers, or it proved nothing about refusals.
    assert.ok(refused > 10 && refused < 150, `${refused} of 150 were refused`);
  });
});

/** A 24-bit BMP with the OS/2 1.x BITMAPCOREHEADER: 16-bit width and height, 12 header bytes. */
function os2CoreBmp(width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 24) / 32) * 4;
  const header = Buffer.alloc(14 + 12);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(header.length + rowBytes * height, 2);
  header.writeUInt32LE(header.length, 10);
  header.writeUInt32LE(12, 14);
  header.writeUInt16LE(width, 18);
  header.writeUInt16LE(height, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt16LE(24, 24);
  return Buffer.concat([header, Buffer.alloc(rowBytes * height, 0x80)]);
}
