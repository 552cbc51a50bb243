import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildChatRequest,
  ConfigurationError,
  type ContentPart,
  defaultCatalogue,
  describeRequestForDisplay,
  estimateImageListTokens,
  estimateImageTokens,
  estimateVideoTokens,
  InputLimitError,
  type PreparedFrameList,
  type PreparedImage,
  type PreparedVideoFile,
  type UserMessage,
} from "@glance/core";
import sharp from "sharp";
import { z } from "zod";

async function preparedImage(
  name: string,
  width: number,
  height: number,
  format: "png" | "jpeg" = "png",
  noisy = false,
) {
  const image = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 200, g: 40, b: 90 },
      // Noise does not compress, which the payload-size test needs.
      ...(noisy ? { noise: { type: "gaussian" as const, mean: 128, sigma: 60 } } : {}),
    },
  });
  const data = await (format === "png" ? image.png() : image.jpeg()).toBuffer();
  const prepared: PreparedImage = {
    kind: "image",
    name,
    mimeType: format === "png" ? "image/png" : "image/jpeg",
    data,
    width,
    height,
    originalWidth: width,
    originalHeight: height,
    originalFormat: format,
    originalBytes: data.length,
  };
  return prepared;
}

async function preparedFrameList(frameCount: number, fps = 2): Promise<PreparedFrameList> {
  const frame = await preparedImage("frame", 320, 192, "jpeg");
  return {
    kind: "frame-list",
    name: "clip.mp4",
    frames: Array.from({ length: frameCount }, () => frame),
    fps,
    timestampsSeconds: Array.from({ length: frameCount }, (_, index) => index / fps),
    durationSeconds: frameCount / fps,
    width: 320,
    height: 192,
    originalWidth: 640,
    originalHeight: 384,
    originalBytes: 123_456,
  };
}

/** Request building never decodes a video, so any bytes stand in for the file here. */
function preparedVideoFile(overrides: Partial<PreparedVideoFile> = {}): PreparedVideoFile {
  return {
    kind: "video-file",
    name: "walk.mp4",
    mimeType: "video/mp4",
    data: Buffer.from("not really an mp4, but bytes to encode"),
    width: 640,
    height: 360,
    frameCount: 300,
    frameRate: 30,
    durationSeconds: 10,
    fps: 2,
    originalBytes: 38,
    ...overrides,
  };
}

function userParts(body: { messages: unknown[] }): ContentPart[] {
  const last = body.messages.at(-1) as UserMessage;
  assert.equal(last.role, "user");
  assert.ok(Array.isArray(last.content));
  return last.content;
}

async function rejectsWithLimit(
  promise: Promise<unknown>,
  expected: Partial<InputLimitError>,
): Promise<InputLimitError> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  assert.ok(caught instanceof InputLimitError, `expected an InputLimitError, got ${String(caught)}`);
  for (const [key, value] of Object.entries(expected)) {
    assert.equal(caught[key as keyof InputLimitError], value, `InputLimitError.${key}`);
  }
  return caught;
}

describe("buildChatRequest: body shape", () => {
  it("puts images before the prompt, as data URLs or public URLs, with max_pixels per part", async () => {
    const local = await preparedImage("cat.png", 64, 48);
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      system: "Answer briefly.",
      history: [
        { role: "user", text: "Hello" },
        { role: "assistant", text: "Hi, send me an image." },
      ],
      prompt: "What differs between these?",
      inputs: [local, { kind: "image-url", url: "https://example.com/dog.jpg" }],
      maxPixels: 1_000_000,
      maxOutputTokens: 500,
      temperature: 0.2,
    });
    const { body } = request;
    assert.equal(body.model, "qwen3-vl-plus");
    assert.deepEqual(body.messages.slice(0, 3), [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "Hello" },
      { role: "assistant", content: "Hi, send me an image." },
    ]);
    const parts = userParts(body);
    assert.equal(parts.length, 3);
    const [first, second, third] = parts;
    assert.ok(first?.type === "image_url");
    assert.equal(first.max_pixels, 1_000_000);
    assert.ok(first.image_url.url.startsWith("data:image/png;base64,"));
    const decoded = Buffer.from(first.image_url.url.slice("data:image/png;base64,".length), "base64");
    assert.ok(decoded.equals(local.data), "the data URL carries exactly the prepared bytes");
    assert.deepEqual(second, {
      type: "image_url",
      image_url: { url: "https://example.com/dog.jpg" },
      max_pixels: 1_000_000,
    });
    assert.deepEqual(third, { type: "text", text: "What differs between these?" });
    assert.equal(body.max_completion_tokens, 500);
    assert.equal((body as { max_tokens?: number }).max_tokens, undefined, "never max_tokens");
    assert.equal(body.temperature, 0.2);
    assert.equal(body.stream, undefined);
    assert.equal(body.vl_high_resolution_images, undefined);
    // qwen3-vl-plus is hybrid with thinking off by default; the default is sent explicitly.
    assert.equal(body.enable_thinking, false);
  });

  it("sends a video file as video_url with fps, and a frame list as a video part of data URLs", async () => {
    const frames = await preparedFrameList(6, 1.5);
    const request = await buildChatRequest({
      model: "qwen3.5-plus",
      prompt: "What happens?",
      inputs: [
        preparedVideoFile(),
        frames,
        { kind: "frame-urls", urls: ["a", "b", "c", "d"].map((x) => `https://e.com/${x}.jpg`), fps: 1 },
      ],
      highResolution: true,
      stream: true,
    });
    const [video, frameList, remoteFrames] = userParts(request.body);
    assert.ok(video?.type === "video_url");
    assert.equal(video.fps, 2);
    assert.ok(video.video_url.url.startsWith("data:video/mp4;base64,"));
    assert.ok(frameList?.type === "video");
    assert.equal(frameList.fps, 1.5);
    assert.equal(frameList.video.length, 6);
    for (const url of frameList.video) {
      assert.ok(url.startsWith("data:image/jpeg;base64,"));
    }
    assert.deepEqual(remoteFrames, {
      type: "video",
      video: ["https://e.com/a.jpg", "https://e.com/b.jpg", "https://e.com/c.jpg", "https://e.com/d.jpg"],
      fps: 1,
    });
    assert.equal(request.body.vl_high_resolution_images, true);
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.stream_options, { include_usage: true });
    assert.equal(request.body.enable_thinking, true, "qwen3.5-plus thinks by default");
  });

  it("applies the thinking rules of each kind of model", async () => {
    const instruct = await buildChatRequest({ model: "qwen3-vl-8b-instruct", prompt: "Hi" });
    assert.equal(instruct.body.enable_thinking, undefined, "no thinking switch is sent to a model without one");
    assert.equal(instruct.thinking, false);

    const budget = await buildChatRequest({
      model: "qwen3-vl-flash",
      prompt: "Hi",
      thinking: true,
      thinkingBudget: 2000,
    });
    assert.equal(budget.body.enable_thinking, true);
    assert.equal(budget.body.thinking_budget, 2000);

    await assert.rejects(
      buildChatRequest({ model: "qwen3-vl-8b-instruct", prompt: "Hi", thinking: true }),
      (error: unknown) => error instanceof ConfigurationError && /has no thinking mode/.test(error.message),
    );
    await assert.rejects(
      buildChatRequest({ model: "qwen3-vl-235b-a22b-thinking", prompt: "Hi", thinking: false }),
      (error: unknown) => error instanceof ConfigurationError && /always thinks/.test(error.message),
    );
    await assert.rejects(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "Hi", thinkingBudget: 100 }),
      (error: unknown) => error instanceof ConfigurationError && error.setting === "thinkingBudget",
    );
  });

  it("asks vision models for json_object with the schema (and the word JSON) in the prompt, thinking off", async () => {
    const schema = z.object({ label: z.string(), confidence: z.number() });
    const request = await buildChatRequest({
      model: "qwen3.5-plus",
      system: "You classify screenshots.",
      prompt: "Classify.",
      structuredOutput: { schema, name: "classification" },
    });
    assert.deepEqual(request.body.response_format, { type: "json_object" });
    const system = request.body.messages[0];
    assert.equal(system?.role, "system");
    assert.ok(typeof system?.content === "string");
    assert.match(system.content, /^You classify screenshots\.\n\n/, "the caller's system prompt comes first");
    assert.match(system.content, /JSON Schema/);
    assert.match(system.content, /"required":\["label","confidence"\]/);
    assert.ok(
      request.texts.some((text) => text.includes("JSON Schema")),
      "the instruction is counted in the estimate",
    );
    assert.equal(request.body.enable_thinking, false, "structured output needs thinking off");
    assert.match(request.notes.join(" "), /Thinking was turned off/);

    await assert.rejects(
      buildChatRequest({ model: "qwen3.5-plus", prompt: "x", thinking: true, structuredOutput: { schema } }),
      (error: unknown) => error instanceof ConfigurationError && /only with thinking disabled/.test(error.message),
    );
    await assert.rejects(
      buildChatRequest({ model: "qwen3-vl-235b-a22b-thinking", prompt: "x", structuredOutput: { schema } }),
      (error: unknown) =>
        error instanceof ConfigurationError && /does not support structured output/.test(error.message),
    );
  });

  it("uses json_schema for a model the catalogue says takes it", async () => {
    const schema = z.object({ label: z.string(), confidence: z.number() });
    const model = { ...defaultCatalogue.resolve("qwen3.5-plus"), structuredOutput: "json-schema" as const };
    const request = await buildChatRequest({
      model,
      prompt: "Classify.",
      structuredOutput: { schema, name: "classification" },
    });
    const format = request.body.response_format;
    assert.ok(format?.type === "json_schema");
    assert.equal(format.json_schema.name, "classification");
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(format.json_schema.schema.required, ["label", "confidence"]);
    assert.equal(
      request.body.messages.length,
      1,
      "no instruction is added: the service holds the answer to the schema",
    );
  });

  it("sizes the output allowance with the thinking included", async () => {
    const request = await buildChatRequest({
      model: "qwen3.5-plus",
      prompt: "Think, then answer.",
      thinking: true,
      thinkingBudget: 2_000,
      maxOutputTokens: 3_000,
    });
    assert.equal(request.body.max_completion_tokens, 3_000);
    assert.equal(request.body.thinking_budget, 2_000);
    await assert.rejects(
      buildChatRequest({
        model: "qwen3.5-plus",
        prompt: "x",
        thinking: true,
        thinkingBudget: 2_000,
        maxOutputTokens: 2_000,
      }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.setting === "maxOutputTokens" &&
        /counts thinking and answer together/.test(error.message),
    );
    const unbudgeted = await buildChatRequest({ model: "qwen3.5-plus", prompt: "x", maxOutputTokens: 500 });
    assert.match(unbudgeted.notes.join(" "), /counts the thinking too/);
  });

  it("always streams a streaming-only model, and refuses it structured output naming a model that can", async () => {
    const request = await buildChatRequest({ model: "qvq-max", prompt: "Why is the sky blue?" });
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.stream_options, { include_usage: true });
    assert.match(request.notes.join(" "), /answers only by streaming/);
    await assert.rejects(
      buildChatRequest({ model: "qvq-max", prompt: "x", structuredOutput: { schema: z.object({ a: z.string() }) } }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        /qvq-max does not support structured output \(it answers only as a stream of thinking\).*qwen3\.5-plus/.test(
          error.message,
        ),
    );
  });

  it("refuses a max_pixels above the model's maximum", async () => {
    await assert.rejects(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", maxPixels: 16_777_217 }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.setting === "maxPixels" &&
        /from 1 to 16,777,216/.test(error.message),
    );
  });
});

describe("buildChatRequest: limits checked before sending", () => {
  it("names input, limit, actual value and fix for a frame list that is too short", async () => {
    const error = await rejectsWithLimit(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", inputs: [await preparedFrameList(3)] }),
      {
        limitCode: "frame-count",
        input: "clip.mp4",
        what: "the number of frames",
        limit: "from 4 to 2,000 for qwen3-vl-plus",
        actual: "3",
      },
    );
    assert.equal(
      error.message,
      "clip.mp4: the number of frames is 3, but must be from 4 to 2,000 for qwen3-vl-plus. " +
        "Sample the video at a higher rate, or send it as a single image if it is that short.",
    );
  });

  it("refuses a frame list longer than the model allows", async () => {
    await rejectsWithLimit(
      buildChatRequest({
        model: "qwen3-vl-8b-instruct",
        prompt: "x",
        inputs: [
          { kind: "frame-urls", urls: Array.from({ length: 513 }, (_, index) => `https://e.com/${index}.jpg`), fps: 2 },
        ],
      }),
      {
        limitCode: "frame-count",
        what: "the number of frames",
        limit: "from 4 to 512 for qwen3-vl-open-source-instruct",
        actual: "513",
      },
    );
  });

  it("refuses an fps outside [0.1, 10]", async () => {
    await rejectsWithLimit(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", inputs: [await preparedFrameList(4, 12)] }),
      {
        limitCode: "video-fps",
        what: "the sampling rate (fps)",
        actual: "12 frames per second",
        limit: "from 0.1 to 10 frames per second",
      },
    );
    await rejectsWithLimit(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", inputs: [preparedVideoFile({ fps: 0.05 })] }),
      { limitCode: "video-fps", what: "the sampling rate (fps)", actual: "0.05 frames per second" },
    );
  });

  it("refuses a video file shorter than 2 s or longer than the model allows", async () => {
    await rejectsWithLimit(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", inputs: [preparedVideoFile({ durationSeconds: 1.5 })] }),
      {
        limitCode: "video-minimum-duration",
        input: "walk.mp4",
        what: "the video duration",
        actual: "1.5 s",
        limit: "from 2 s to 1 h (3600 s) for qwen3-vl-plus",
      },
    );
    await rejectsWithLimit(
      buildChatRequest({
        model: "qwen3-vl-plus",
        prompt: "x",
        inputs: [{ kind: "video-url", url: "https://e.com/v.mp4", durationSeconds: 3700 }],
      }),
      { limitCode: "video-maximum-duration", what: "the video duration", actual: "1.03 h (3700 s)" },
    );
  });

  it("checks remote inputs against the limits their given sizes reveal", async () => {
    await rejectsWithLimit(
      buildChatRequest({
        model: "qwen3-vl-plus",
        prompt: "x",
        inputs: [{ kind: "image-url", url: "https://e.com/strip.png", width: 5000, height: 5, name: "strip.png" }],
      }),
      { limitCode: "image-height", input: "strip.png", what: "the image height", actual: "5 px (5000x5)" },
    );
    await rejectsWithLimit(
      buildChatRequest({
        model: "qwen3-vl-plus",
        prompt: "x",
        inputs: [{ kind: "video-url", url: "https://e.com/v.mp4", frameCount: 36, frameRate: 24 }],
      }),
      { limitCode: "video-minimum-duration", what: "the video duration", actual: "1.5 s" },
    );
  });

  it("refuses a base64 image payload over the model's limit", async () => {
    // A registered entry with a small limit keeps the test fast; the check is the same as at 10 MB.
    const small = {
      ...defaultCatalogue.resolve("qwen3-vl-plus"),
      image: { ...defaultCatalogue.resolve("qwen3-vl-plus").image, base64MaxBytes: 2_000 },
    };
    const image = await preparedImage("noise.jpg", 200, 200, "jpeg", true);
    assert.ok(image.data.length > 1_500, "the fixture must be larger than the limit once encoded");
    const error = await rejectsWithLimit(buildChatRequest({ model: small, prompt: "x", inputs: [image] }), {
      limitCode: "image-base64-size",
      input: "noise.jpg",
      what: "the base64 payload size",
      limit: "at most 2 KB",
    });
    assert.match(error.fix, /public URL/);
  });

  it("refuses a base64 video payload of the limit or more (the service wants strictly less)", async () => {
    const base = defaultCatalogue.resolve("qwen3-vl-plus");
    const video = preparedVideoFile({ data: Buffer.alloc(3000) });
    const exactLength = "data:video/mp4;base64,".length + 4000;
    const model = { ...base, video: { ...base.video, base64MaxBytes: exactLength } };
    await rejectsWithLimit(buildChatRequest({ model, prompt: "x", inputs: [video] }), {
      limitCode: "video-base64-size",
      what: "the base64 payload size",
      limit: "less than 4 KB",
    });
    const roomier = { ...base, video: { ...base.video, base64MaxBytes: exactLength + 1 } };
    await buildChatRequest({ model: roomier, prompt: "x", inputs: [video] });
  });

  it("refuses more than 250 base64 images", async () => {
    const image = await preparedImage("tiny.png", 16, 16);
    const inputs = Array.from({ length: 251 }, () => image);
    await rejectsWithLimit(buildChatRequest({ model: "qwen3.5-plus", prompt: "x", inputs }), {
      limitCode: "base64-image-count",
      input: "request",
      what: "the number of images sent as base64",
      limit: "at most 250",
      actual: "251",
    });
  });

  it("refuses more than 256 images in all", async () => {
    const inputs = Array.from({ length: 257 }, (_, index) => ({
      kind: "image-url" as const,
      url: `https://e.com/${index}.png`,
    }));
    await rejectsWithLimit(buildChatRequest({ model: "qwen3.5-plus", prompt: "x", inputs }), {
      limitCode: "image-count",
      what: "the number of images",
      limit: "at most 256",
      actual: "257",
    });
  });

  it("refuses a request whose estimated input tokens exceed the limit", async () => {
    const image = await preparedImage("wide.png", 1280, 960);
    const error = await rejectsWithLimit(
      buildChatRequest({ model: "qwen3-vl-plus", prompt: "x", inputs: [image], maxInputTokens: 1000 }),
      { limitCode: "request-tokens", input: "request", limit: "at most 1,000 for qwen3-vl-plus" },
    );
    // 1280 x 960 is within the default max_pixels: 1200 tokens of 32 x 32 px, plus the 2 vision markers.
    const imageTokens = 1202;
    assert.equal(estimateImageTokens({ model: "qwen3-vl-plus", width: 1280, height: 960 }).tokens, imageTokens);
    const total = Number(error.actual.replace(/,/g, ""));
    assert.ok(total > imageTokens && total < imageTokens + 50, `image plus a little text, got ${error.actual}`);
  });
});

describe("estimateRequest and describeRequestForDisplay", () => {
  it("estimates every input with the reference calculators and says which are unknown", async () => {
    const image = await preparedImage("cat.png", 640, 480);
    const frames = await preparedFrameList(8);
    const video = preparedVideoFile();
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      prompt: "Compare.",
      inputs: [image, video, frames, { kind: "image-url", url: "https://e.com/unknown.png" }],
      maxPixels: 200_000,
    });
    const { estimate } = request;
    const imageTokens = estimateImageTokens({
      model: "qwen3-vl-plus",
      width: 640,
      height: 480,
      maxPixels: 200_000,
    }).tokens;
    const videoTokens = estimateVideoTokens({
      model: "qwen3-vl-plus",
      width: 640,
      height: 360,
      frameCount: 300,
      frameRate: 30,
      fps: 2,
    }).tokens;
    const frameTokens = estimateImageListTokens({ model: "qwen3-vl-plus", width: 320, height: 192, frames: 8 }).tokens;
    assert.deepEqual(
      estimate.inputs.map((input) => input.tokens),
      [imageTokens, videoTokens, frameTokens, undefined],
    );
    assert.match(estimate.inputs[3]?.reason ?? "", /width and height were not given/);
    assert.equal(estimate.complete, false);
    assert.ok(estimate.textTokens > 0);
    assert.equal(estimate.totalTokens, estimate.textTokens + imageTokens + videoTokens + frameTokens);
    assert.equal(estimate.limitTokens, 258_048);
  });

  it("elides every base64 payload and leaves the rest of the body as it was", async () => {
    const image = await preparedImage("cat.png", 64, 48);
    const video = preparedVideoFile({ data: Buffer.alloc(3000) });
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      prompt: "Describe.",
      inputs: [image, video, { kind: "image-url", url: "https://example.com/dog.jpg" }],
    });
    const shown = describeRequestForDisplay(request.body);
    const [shownImage, shownVideo, shownRemote, shownText] = userParts(shown);
    const imageLength = 4 * Math.ceil(image.data.length / 3);
    assert.ok(shownImage?.type === "image_url");
    assert.match(shownImage.image_url.url, /^data:image\/png;base64,<(\d+ bytes|\d+ KB) elided>$/);
    assert.ok(shownImage.image_url.url.includes(imageLength < 1000 ? `${imageLength} bytes` : "KB"));
    assert.ok(shownVideo?.type === "video_url");
    assert.equal(shownVideo.video_url.url, "data:video/mp4;base64,<4 KB elided>");
    assert.deepEqual(shownRemote, { type: "image_url", image_url: { url: "https://example.com/dog.jpg" } });
    assert.deepEqual(shownText, { type: "text", text: "Describe." });
    const original = userParts(request.body)[1];
    assert.ok(original?.type === "video_url" && original.video_url.url.length > 4000, "the body itself is untouched");
  });
});
