import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  estimateImageListTokens,
  InputLimitError,
  MediaError,
  type ModelEntry,
  modelEntryOf,
  type PreparedFrameList,
  type PreparedVideoFile,
  prepareFrameList,
  prepareMedia,
  prepareVideo,
  probeVideo,
} from "@glance/core";
import sharp from "sharp";
import {
  bmpImage,
  makeLongVideo,
  photoJpg,
  rotatedVideoMp4,
  screenshotPng,
  svgDiagram,
  truncatedMp4,
  video1sMp4,
  video10sMp4,
  videoInContainer,
  videoWebm,
} from "../support/media-factory.js";

const model = "qwen3-vl-plus";

function asFrameList(prepared: PreparedVideoFile | PreparedFrameList | { kind: string }): PreparedFrameList {
  assert.equal(prepared.kind, "frame-list");
  return prepared as PreparedFrameList;
}

function asVideoFile(prepared: PreparedVideoFile | PreparedFrameList | { kind: string }): PreparedVideoFile {
  assert.equal(prepared.kind, "video-file");
  return prepared as PreparedVideoFile;
}

/** Every frame decodes as a JPEG of exactly the list's size. */
async function assertFramesDecode(list: PreparedFrameList): Promise<void> {
  for (const frame of list.frames) {
    const metadata = await sharp(frame.data).metadata();
    assert.equal(metadata.format, "jpeg");
    assert.equal(metadata.width, list.width);
    assert.equal(metadata.height, list.height);
  }
}

describe("probeVideo", () => {
  test("a 10 s 640x360 25 fps MP4", async () => {
    const path = await video10sMp4();
    const probe = await probeVideo(path);
    assert.equal(probe.width, 640);
    assert.equal(probe.height, 360);
    assert.equal(probe.frameRate, 25);
    assert.equal(probe.frameCount, 250);
    assert.ok(Math.abs(probe.durationSeconds - 10) < 0.05, `duration ${probe.durationSeconds}`);
    assert.equal(probe.codec, "h264");
    assert.match(probe.container, /mp4/);
    assert.equal(probe.sizeBytes, (await stat(path)).size);
  });

  test("WebM has no stored frame count: it is derived from duration x rate", async () => {
    const probe = await probeVideo(await videoWebm());
    assert.equal(probe.codec, "vp8");
    assert.match(probe.container, /webm/);
    assert.equal(probe.frameCount, Math.round(probe.durationSeconds * probe.frameRate));
    assert.ok(Math.abs(probe.frameCount - 100) <= 1, `frame count ${probe.frameCount}`);
  });

  test("a 90° rotation swaps the displayed size", async () => {
    const probe = await probeVideo(await rotatedVideoMp4());
    assert.equal(probe.storedWidth, 320);
    assert.equal(probe.storedHeight, 180);
    assert.ok(probe.rotation === 90 || probe.rotation === 270, `rotation ${probe.rotation}`);
    assert.equal(probe.width, 180);
    assert.equal(probe.height, 320);
  });

  test("a file that is not a video is unreadable media", async () => {
    await assert.rejects(probeVideo(await svgDiagram()), { name: "MediaError", code: "unsupported-media" });
  });
});

describe("prepareVideo: whole files", () => {
  test("a small MP4 is sent whole, bytes unchanged", async () => {
    const path = await video10sMp4();
    const file = asVideoFile(await prepareVideo(path, { model }));
    assert.equal(file.mimeType, "video/mp4");
    assert.deepEqual(file.data, await readFile(path));
    assert.equal(file.width, 640);
    assert.equal(file.height, 360);
    assert.equal(file.frameCount, 250);
    assert.equal(file.frameRate, 25);
    assert.equal(file.fps, modelEntryOf(model).videoTokens.defaultFps);
    assert.equal(file.originalBytes, file.data.length);
  });

  for (const [container, mimeType] of [
    ["mov", "video/quicktime"],
    ["mkv", "video/x-matroska"],
    ["avi", "video/x-msvideo"],
    ["flv", "video/x-flv"],
    ["wmv", "video/x-ms-wmv"],
  ] as const) {
    test(`a small ${container} is sent whole as ${mimeType}`, async () => {
      const file = asVideoFile(await prepareVideo(await videoInContainer(container), { model, fps: 1 }));
      assert.equal(file.mimeType, mimeType);
      assert.equal(file.fps, 1);
    });
  }

  test("WebM is not a container the service takes: mode file converts it to MP4", async () => {
    const file = asVideoFile(await prepareVideo(await videoWebm(), { model, mode: "file" }));
    assert.equal(file.mimeType, "video/mp4");
    assert.equal((await probeVideo(await videoWebm())).width, file.width);
    // The converted bytes are a real MP4.
    assert.equal(file.data.subarray(4, 8).toString("latin1"), "ftyp");
  });

  test("a video in memory works like a path", async () => {
    const bytes = await readFile(await video10sMp4());
    const file = asVideoFile(await prepareVideo(bytes, { model, name: "upload.mp4" }));
    assert.equal(file.name, "upload.mp4");
    assert.equal(file.data.length, bytes.length);
  });

  test("prepareMedia sends a video to video preparation", async () => {
    const prepared = await prepareMedia(await video10sMp4(), { model });
    assert.equal(prepared.kind, "video-file");
  });
});

describe("prepareVideo: frame lists", () => {
  test("above the base64 threshold the video is sampled at the default 2 fps", async () => {
    const list = asFrameList(await prepareVideo(await video10sMp4(), { model, base64ThresholdBytes: 1_000 }));
    // 10 s at 2 fps.
    assert.equal(list.frames.length, 20);
    assert.equal(list.fps, 2);
    const expected = estimateImageListTokens({ model, width: 640, height: 360, frames: 20 });
    assert.equal(list.width, expected.width);
    assert.equal(list.height, expected.height);
    assert.deepEqual(
      list.timestampsSeconds,
      Array.from({ length: 20 }, (_, index) => index / 2),
    );
    assert.equal(list.originalWidth, 640);
    assert.equal(list.originalHeight, 360);
    await assertFramesDecode(list);
  });

  test("mode frames with fps 1 gives one frame a second", async () => {
    const list = asFrameList(await prepareVideo(await video10sMp4(), { model, mode: "frames", fps: 1 }));
    assert.equal(list.frames.length, 10);
    assert.equal(list.fps, 1);
  });

  test("too many frames lowers the sampling rate instead of failing", async () => {
    const list = asFrameList(await prepareVideo(await video10sMp4(), { model, mode: "frames", fps: 2, maxFrames: 6 }));
    assert.equal(list.frames.length, 6);
    assert.ok(Math.abs(list.fps - 0.6) < 1e-9, `fps ${list.fps}`);
    const expected = estimateImageListTokens({ model, width: 640, height: 360, frames: 6 });
    assert.equal(list.width, expected.width);
    assert.equal(list.height, expected.height);
  });

  test("a cap so low that frames would be over 10 s apart is refused with the longest usable duration", async () => {
    // 4 frames over 60 s would be 0.067 fps; a frame list may not claim less than 0.1.
    const path = await makeLongVideo(60, 160, 90);
    await assert.rejects(prepareVideo(path, { model, mode: "frames", maxFrames: 4 }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "frame-list-duration");
      assert.equal(error.actual, "1 min (60 s)");
      assert.match(error.limit, /at most 40 s \(4 frames at the minimum 0.1 fps\)/);
      return true;
    });
  });

  test("too few frames raises the rate to the image-list minimum of 4", async () => {
    const list = asFrameList(await prepareVideo(await video10sMp4(), { model, mode: "frames", fps: 0.1 }));
    assert.equal(list.frames.length, modelEntryOf(model).video.imageListMinFrames);
    assert.ok(Math.abs(list.fps - 0.4) < 1e-9, `fps ${list.fps}`);
  });

  test("WebM in auto mode is sampled into frames", async () => {
    const list = asFrameList(await prepareVideo(await videoWebm(), { model }));
    assert.equal(list.frames.length, 8);
    const expected = estimateImageListTokens({ model, width: 320, height: 240, frames: 8 });
    assert.equal(list.width, expected.width);
    assert.equal(list.height, expected.height);
    await assertFramesDecode(list);
  });

  test("a rotated video is sampled upright", async () => {
    const list = asFrameList(await prepareVideo(await rotatedVideoMp4(), { model, mode: "frames" }));
    const expected = estimateImageListTokens({ model, width: 180, height: 320, frames: list.frames.length });
    assert.ok(list.height > list.width);
    assert.equal(list.width, expected.width);
    assert.equal(list.height, expected.height);
    await assertFramesDecode(list);
  });
});

/** Mean absolute difference of two same-size images' pixels, 0 (identical) to 255. */
async function meanDifference(first: Buffer, second: Buffer): Promise<number> {
  const [left, right] = await Promise.all([
    sharp(first).removeAlpha().raw().toBuffer(),
    sharp(second).removeAlpha().raw().toBuffer(),
  ]);
  assert.equal(left.length, right.length);
  let total = 0;
  for (let index = 0; index < left.length; index += 1) {
    total += Math.abs((left[index] ?? 0) - (right[index] ?? 0));
  }
  return total / left.length;
}

describe("prepareVideo: seeking and single-pass extraction agree", () => {
  // 0.5 fps lands on whole seconds; maxFrames 6 makes the rate 0.6 fps, so times fall between frames.
  for (const options of [{ fps: 0.5 }, { fps: 2, maxFrames: 6 }]) {
    test(`fps ${options.fps}${options.maxFrames === undefined ? "" : `, at most ${options.maxFrames} frames`}`, async () => {
      const path = await video10sMp4();
      const common = { model, mode: "frames", ...options } as const;
      const decoded = asFrameList(await prepareVideo(path, { ...common, frameExtraction: "single-pass" }));
      const seeked = asFrameList(await prepareVideo(path, { ...common, frameExtraction: "seek" }));
      assert.equal(seeked.frames.length, decoded.frames.length);
      assert.equal(seeked.width, decoded.width);
      assert.equal(seeked.height, decoded.height);
      assert.equal(seeked.fps, decoded.fps);
      assert.deepEqual(seeked.timestampsSeconds, decoded.timestampsSeconds);
      await assertFramesDecode(seeked);
      // The same moments: the test pattern moves every frame, so frame k of one list looks like frame
      // k of the other (only JPEG noise apart) and clearly unlike its neighbour k + 1.
      for (let index = 0; index + 1 < seeked.frames.length; index += 1) {
        const seekFrame = seeked.frames[index]?.data ?? Buffer.alloc(0);
        const same = await meanDifference(seekFrame, decoded.frames[index]?.data ?? Buffer.alloc(0));
        const neighbour = await meanDifference(seekFrame, decoded.frames[index + 1]?.data ?? Buffer.alloc(0));
        assert.ok(
          same < 2 && same * 4 < neighbour,
          `frame ${index}: ${same.toFixed(2)} vs neighbour ${neighbour.toFixed(2)}`,
        );
      }
    });
  }
});

describe("prepareVideo: limits", () => {
  test("a 1 s video is shorter than the 2 s minimum", async () => {
    await assert.rejects(prepareVideo(await video1sMp4(), { model }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "video-minimum-duration");
      assert.equal(error.what, "the video duration");
      assert.match(error.limit, /at least 2 s/);
      assert.match(error.actual, /^1\.00 s/);
      return true;
    });
  });

  test("a video longer than the model's maximum is refused unless sampling is allowed", async () => {
    const base = modelEntryOf(model);
    const shortModel: ModelEntry = { ...base, video: { ...base.video, maxDurationSeconds: 5 } };
    const path = await video10sMp4();
    await assert.rejects(prepareVideo(path, { model: shortModel }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "video-maximum-duration");
      assert.match(error.limit, /at most 5 s/);
      assert.match(error.fix, /allowLongVideo/);
      return true;
    });
    // Sampling anyway is allowed for frames only.
    await assert.rejects(
      prepareVideo(path, { model: shortModel, mode: "file", allowLongVideo: true }),
      InputLimitError,
    );
    const list = asFrameList(await prepareVideo(path, { model: shortModel, mode: "frames", allowLongVideo: true }));
    assert.equal(list.frames.length, 20);
  });

  test("a video file whose base64 would reach the model's limit is refused in file mode", async () => {
    const base = modelEntryOf(model);
    const tinyPayload: ModelEntry = { ...base, video: { ...base.video, base64MaxBytes: 1_000 } };
    await assert.rejects(prepareVideo(await video10sMp4(), { model: tinyPayload, mode: "file" }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "video-base64-size");
      assert.match(error.limit, /less than 1000 characters/);
      return true;
    });
  });

  test("a frame more elongated than 200:1 is refused", async () => {
    await assert.rejects(prepareVideo(await makeLongVideo(3, 4020, 20), { model }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "video-aspect-ratio");
      assert.match(error.actual, /^201\.00:1 \(4020x20\)/);
      return true;
    });
  });

  test("an image given as a video is unsupported media", async () => {
    await assert.rejects(prepareVideo(await screenshotPng(), { model }), (error: unknown) => {
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, "unsupported-media");
      assert.match(error.message, /prepareImage/);
      return true;
    });
  });

  test("a truncated MP4 is unreadable media quoting the tool", async () => {
    await assert.rejects(prepareVideo(await truncatedMp4(), { model }), (error: unknown) => {
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, "unreadable-media");
      assert.match(error.message, /^truncated-testsrc\.mp4: ffprobe could not read the file/);
      return true;
    });
  });

  test("a missing file says so", async () => {
    await assert.rejects(prepareVideo("/nonexistent/clip.mp4", { model }), {
      name: "MediaError",
      code: "unreadable-media",
      message: /does not exist/,
    });
  });
});

describe("prepareFrameList", () => {
  test("frames of different sizes and formats are all scaled to the size from the first", async () => {
    const sources = [
      await screenshotPng(),
      await photoJpg(),
      await bmpImage(),
      await screenshotPng(),
      await svgDiagram(),
    ];
    const list = await prepareFrameList(sources, { model, fps: 0.5, name: "recording" });
    const expected = estimateImageListTokens({ model, width: 1280, height: 800, frames: 5 });
    assert.equal(list.width, expected.width);
    assert.equal(list.height, expected.height);
    assert.equal(list.frames.length, 5);
    assert.deepEqual(list.timestampsSeconds, [0, 2, 4, 6, 8]);
    assert.equal(list.durationSeconds, 10);
    for (const frame of list.frames) {
      const metadata = await sharp(frame.data).metadata();
      assert.equal(metadata.width, expected.width);
      assert.equal(metadata.height, expected.height);
    }
  });

  test("fewer than 4 frames is an InputLimitError", async () => {
    const path = await screenshotPng();
    await assert.rejects(prepareFrameList([path, path, path], { model, fps: 1 }), (error: unknown) => {
      assert.ok(error instanceof InputLimitError);
      assert.equal(error.limitCode, "frame-count");
      assert.match(error.limit, /from 4 to 2000/);
      assert.equal(error.actual, "3");
      return true;
    });
  });
});
