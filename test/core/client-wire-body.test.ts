/*
 * The body the client sends is written from the prepared bytes, not from data URL strings: the built
 * request holds the images as bytes (a 4K screenshot pair used to take about 45 MB per request in flight,
 * as strings, then JSON, then bytes). What reaches the service must be exactly the JSON text of the body
 * as the caller reads it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { buildChatRequest, createGlanceClient, prepareFrameList, prepareImage } from "@glance/core";
import sharp from "sharp";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { screenshotPng } from "../support/media-factory.js";

// A full collection before each reading, so memory held is told from garbage not yet collected.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
async function heldBytes(): Promise<number> {
  // Buffers are released by callbacks that run after a collection: collect, let them run, collect again.
  collectGarbage();
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  const usage = process.memoryUsage();
  // Node keeps a large base64 string outside V8's heap ("external"), so both are counted.
  return usage.heapUsed + usage.external;
}

let fake: FakeModelStudio;
before(async () => {
  fake = await startFakeModelStudio();
});
after(() => fake.close());

/** A noisy PNG the service takes as it is, of a size that is not a multiple of 3 and spans many slices. */
async function noisyPng(width: number, height: number): Promise<Buffer> {
  for (;;) {
    const png = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    if (png.length % 3 !== 0) return png;
    width += 1;
  }
}

describe("the request body on the wire", () => {
  it("is the JSON text of the built body, byte for byte, images, Unicode and escapes included", async () => {
    const large = await prepareImage(await noisyPng(600, 400), {
      model: "qwen3-vl-plus",
      name: "noise.png",
      keepOriginalWhenAccepted: true,
    });
    const small = await prepareImage(await screenshotPng(), { model: "qwen3-vl-plus" });
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      system: 'Say "hi" \\ then stop.\n\u2028',
      prompt: "Compare these: 画面の違いは? 🙂 </script>",
      inputs: [large, small],
      maxPixels: 1_003_520,
    });
    const client = createGlanceClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, maxRetries: 0 });
    fake.script(fakeSteps.answer("ok"));
    await client.complete(request);
    const sent = fake.requests.at(-1);
    assert.ok(large.kind === "image" && large.data.length > 100_000, "the large image spans several slices");
    assert.equal(sent?.rawBody, JSON.stringify(request.body));
    // Streamed with its length, not chunked.
    assert.equal(sent?.headers["content-length"], String(Buffer.byteLength(sent?.rawBody ?? "")));
    assert.equal(sent?.headers["transfer-encoding"], undefined);
    assert.equal(sent?.headers["content-type"], "application/json");
  });

  it("a retried request sends the same bytes again", async () => {
    const image = await prepareImage(await noisyPng(300, 200), { model: "qwen3-vl-plus", name: "retry.png" });
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Again?", inputs: [image] });
    const client = createGlanceClient({
      apiKey: fake.apiKey,
      baseUrl: fake.baseUrl,
      maxRetries: 1,
      sleep: async () => {},
    });
    const sentBefore = fake.requests.length;
    fake.script(fakeSteps.serverError(), fakeSteps.answer("ok"));
    await client.complete(request);
    const attempts = fake.requests.slice(sentBefore);
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]?.rawBody, JSON.stringify(request.body));
    assert.equal(attempts[1]?.rawBody, attempts[0]?.rawBody);
  });

  it("the built body holds the image as bytes, not as a base64 string", async () => {
    const data = await noisyPng(1800, 1200);
    const image = await prepareImage(data, { model: "qwen3-vl-plus", name: "big.png", keepOriginalWhenAccepted: true });
    assert.ok(
      image.kind === "image" && image.data.length > 6_000_000,
      String(image.kind === "image" && image.data.length),
    );
    const before = await heldBytes();
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "What is this?", inputs: [image] });
    const grew = (await heldBytes()) - before;
    // As a data URL string the image alone would add over 8 MB, held as long as the request.
    assert.ok(grew < 4_000_000, `memory grew by ${(grew / 1e6).toFixed(1)} MB`);
    const part = request.body.messages.at(-1)?.content;
    assert.ok(Array.isArray(part) && part[0]?.type === "image_url");
    // Read, it is the usual data URL.
    assert.ok(part[0].image_url.url.startsWith("data:image/png;base64,"));
    assert.equal(Buffer.from(part[0].image_url.url.split(",")[1] ?? "", "base64").equals(image.data), true);
  });

  it("a video's frames: the same JSON on the wire, and the list reads as data URLs", async () => {
    const frames = await Promise.all([0, 1, 2, 3].map(() => noisyPng(320, 240)));
    const list = await prepareFrameList(frames, { model: "qwen3-vl-plus", fps: 2, name: "frames" });
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "What changes?", inputs: [list] });
    const content = request.body.messages.at(-1)?.content;
    const part = Array.isArray(content) ? content[0] : undefined;
    assert.ok(part?.type === "video");
    assert.equal(part.video.length, 4);
    assert.ok(part.video.every((url) => url.startsWith("data:image/")));
    const client = createGlanceClient({ apiKey: fake.apiKey, baseUrl: fake.baseUrl, maxRetries: 0 });
    fake.script(fakeSteps.answer("ok"));
    await client.complete(request);
    assert.equal(fake.requests.at(-1)?.rawBody, JSON.stringify(request.body));
  });

  it("a built frame list holds its frames as bytes, not as base64 strings", async () => {
    const frames = await Promise.all(Array.from({ length: 16 }, () => noisyPng(640, 480)));
    const list = await prepareFrameList(frames, { model: "qwen3-vl-plus", fps: 2, name: "frames" });
    const bytes = list.frames.reduce((sum, frame) => sum + frame.data.length, 0);
    assert.ok(bytes > 2_000_000, `${bytes} bytes of frames`);
    const before = await heldBytes();
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "What changes?", inputs: [list] });
    const grew = (await heldBytes()) - before;
    // As data URL strings the frames would add 4/3 of their bytes, held as long as the request.
    assert.ok(
      grew < bytes / 3,
      `memory grew by ${(grew / 1e6).toFixed(1)} MB for ${(bytes / 1e6).toFixed(1)} MB of frames`,
    );
    assert.ok(request.body.messages.length > 0);
  });
});
