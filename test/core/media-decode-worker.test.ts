/*
 * Formats sharp cannot decode (BMP, HEIC) are decoded in a worker thread: the main thread keeps
 * serving while a 100-megapixel 1-bit BMP is decoded, and a header that claims more pixels than the
 * limit is refused before anything is decoded.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { InputLimitError, prepareImage } from "@glance/core";
import { bmpHeaderClaimingGigapixels, bmpImage, oneBitBmpBomb } from "../support/media-factory.js";

const model = "qwen3-vl-plus";

/**
 * A 48-megapixel HEIC (8064x6048, a 48 MP phone camera's size; a gradient with text, 100 KB). Neither
 * sharp's prebuilt libvips (no HEVC decoder) nor the bundled ffmpeg writes HEIC, so this one file is
 * kept in the repository; it was made with Debian's libheif-examples (libheif 1.15.1, x265):
 * `heif-enc -q 30 -o photo-8064x6048.heic in.png`, from an 8064x6048 PNG rendered by sharp.
 */
const heicPhoto = fileURLToPath(new URL("../fixtures/photo-8064x6048.heic", import.meta.url));

/** Runs `work` while a 10 ms interval ticks on the main thread; returns the longest gap between ticks. */
async function longestTickGap<T>(work: () => Promise<T>): Promise<{ result: T; longestGapMilliseconds: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    longest = Math.max(longest, performance.now() - last);
    return { result, longestGapMilliseconds: longest };
  } finally {
    clearInterval(timer);
  }
}

describe("decoding off the main thread", () => {
  test("the main thread keeps ticking while a 10000x10000 1-bit BMP is prepared", { timeout: 120_000 }, async () => {
    const bytes = await readFile(await oneBitBmpBomb());
    assert.equal(bytes.length, 12_520_062);
    const { result, longestGapMilliseconds } = await longestTickGap(() =>
      prepareImage(bytes, { model, name: "bomb.bmp" }),
    );
    assert.equal(result.originalWidth, 10_000);
    assert.equal(result.originalHeight, 10_000);
    // Decoding on the main thread held it for about 3 s on an idle machine (6 to 15 s on a busy one); in
    // the worker, only starting it, copies and sharp's asynchronous calls remain on it. The bound leaves
    // room for a machine whose two cores are shared with other work, where a tick waited up to 320 ms.
    assert.ok(longestGapMilliseconds < 1000, `the main thread stalled for ${longestGapMilliseconds.toFixed(0)} ms`);
  });

  test("a BMP header that claims more pixels than the limit is refused before decoding", async () => {
    const bytes = await readFile(await bmpHeaderClaimingGigapixels());
    const started = performance.now();
    await assert.rejects(prepareImage(bytes, { model, name: "claims.bmp" }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError, String(error));
      assert.equal(error.limitCode, "image-pixel-count");
      assert.equal(
        error.message,
        "claims.bmp: the decoded pixel count is 2500.0 megapixels (50000x50000), but must be at most 100.0 megapixels (the decompression-bomb limit). Scale the image down before sending it; if the file is trusted, raise maxInputPixels.",
      );
      return true;
    });
    assert.ok(performance.now() - started < 1000);
  });

  test("the worker's errors keep their class and code: a limit lowered below a BMP's size", async () => {
    await assert.rejects(prepareImage(await bmpImage(), { model, maxInputPixels: 1000 }), {
      name: "InputLimitError",
      limitCode: "image-pixel-count",
    });
  });

  test("a BMP decoded in the worker gives the same picture", async () => {
    const prepared = await prepareImage(await bmpImage(), { model });
    assert.equal(prepared.originalFormat, "bmp");
    assert.equal(prepared.width > 0 && prepared.height > 0, true);
  });

  test("the main thread keeps ticking while a 48-megapixel HEIC is decoded (libheif WebAssembly)", {
    timeout: 120_000,
  }, async () => {
    const bytes = await readFile(heicPhoto);
    const { result, longestGapMilliseconds } = await longestTickGap(() =>
      prepareImage(bytes, { model, name: "photo.heic" }),
    );
    assert.equal(result.originalFormat, "heic");
    assert.equal(result.originalWidth, 8064);
    assert.equal(result.originalHeight, 6048);
    // On the main thread this decode held it for 15 s on a busy 2-core machine.
    assert.ok(longestGapMilliseconds < 1000, `the main thread stalled for ${longestGapMilliseconds.toFixed(0)} ms`);
  });

  test("a HEIC above the pixel limit is refused from its header, with the limit and the size", async () => {
    await assert.rejects(
      prepareImage(await readFile(heicPhoto), { model, name: "photo.heic", maxInputPixels: 1_000_000 }),
      (error: unknown) => {
        assert.ok(error instanceof InputLimitError, String(error));
        assert.equal(error.limitCode, "image-pixel-count");
        assert.match(
          error.message,
          /^photo\.heic: the decoded pixel count is 48\.8 megapixels \(8064x6048\), but must be at most 1\.0 megapixels/,
        );
        return true;
      },
    );
  });
});
