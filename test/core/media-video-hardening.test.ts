/*
 * Video preparation under hostile or costly input: the cost of sampling is bounded (keyframe spacing
 * measured over the whole file), every ffmpeg/ffprobe run has a deadline and is killed at it, the token
 * budget is reserved from the header before decoding, and files that would make ffmpeg open other files
 * (HLS playlists, concat lists) are refused by their first bytes.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { copyFile, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { InputLimitError, MediaError, prepareMedia, prepareVideo, probeVideo } from "@glance/core";
import { sparseKeyframeMp4, video10sMp4, videoInContainer } from "../support/media-factory.js";

const model = "qwen3-vl-plus";

/** ffmpeg and ffprobe processes whose parent is this test process. */
async function mediaToolChildren(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so split after the last parenthesis.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent === process.pid && (comm === "ffmpeg" || comm === "ffprobe")) {
      found.push(`${comm} ${entry}`);
    }
  }
  return found;
}

describe("video preparation cost", () => {
  test("keyframes that stop after the first minute: sampled in one pass, within a bound", {
    timeout: 120_000,
  }, async () => {
    const path = await sparseKeyframeMp4();
    const started = performance.now();
    const prepared = await prepareVideo(path, { model, mode: "frames", fps: 2 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(prepared.kind, "frame-list");
    assert.equal(prepared.frameExtraction, "single-pass");
    assert.equal(prepared.frames.length, 480);
    // One pass over 6,000 small frames takes a few seconds even on a busy 2-core machine; seeking
    // (each late frame decoded from the keyframe at 58 s) takes minutes.
    assert.ok(seconds < 30, `took ${seconds.toFixed(1)} s`);
  });

  test("an ffmpeg run past its deadline is killed and reported in one line", { timeout: 120_000 }, async () => {
    const path = await sparseKeyframeMp4();
    const started = performance.now();
    await assert.rejects(
      prepareVideo(path, {
        model,
        mode: "frames",
        fps: 2,
        frameExtraction: "seek",
        mediaToolTimeoutMilliseconds: 1500,
      }),
      (error: unknown) => {
        assert.ok(error instanceof MediaError, String(error));
        assert.equal(error.code, "media-timeout");
        assert.match(error.message, /ffmpeg did not finish sampling frames within 1\.5 s and was stopped/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      },
    );
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 15, `took ${seconds.toFixed(1)} s`);
    // Killed, and its sibling run stopped too: nothing is left running once preparation has failed.
    assert.deepEqual(await mediaToolChildren(), []);
  });

  test("an ffprobe run past its deadline is killed too", async () => {
    // No ffprobe starts, reads a header and exits within 1 ms: the deadline always strikes first.
    await assert.rejects(probeVideo(await video10sMp4(), "clip.mp4", { timeoutMilliseconds: 1 }), (error: unknown) => {
      assert.ok(error instanceof MediaError, String(error));
      assert.equal(error.code, "media-timeout");
      assert.match(
        error.message,
        /^clip\.mp4: ffprobe did not finish reading the video's header within 1 ms and was stopped\./,
      );
      return true;
    });
    assert.deepEqual(await mediaToolChildren(), []);
  });

  test("a named pipe that never ends is refused before ffprobe could wait on it", { timeout: 20_000 }, async () => {
    const directory = await mkdtemp(join(tmpdir(), "glance-fifo-"));
    const fifo = join(directory, "clip.mp4");
    execFileSync("mkfifo", [fifo]);
    // Held open for writing and never written: a reader of this pipe waits forever for data or its end.
    const writer = await open(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      await assert.rejects(probeVideo(fifo, "clip.mp4"), (error: unknown) => {
        assert.ok(error instanceof MediaError, String(error));
        assert.match(error.message, /^clip\.mp4: .* is not a regular file\.$/);
        return true;
      });
      assert.deepEqual(await mediaToolChildren(), []);
    } finally {
      await writer.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  test("the token budget is reserved from the header, before any frame is decoded", async () => {
    const path = await video10sMp4();
    for (const mode of ["frames", "file"] as const) {
      const started = performance.now();
      await assert.rejects(prepareVideo(path, { model, mode, maxTokens: 100 }), (error: unknown) => {
        assert.ok(error instanceof InputLimitError, String(error));
        assert.equal(error.limitCode, "request-tokens");
        assert.match(error.message, /estimated input tokens is [\d,]+, but must be at most 100/);
        return true;
      });
      // Only ffprobe ran: refusing takes a probe's time, not a decode's.
      assert.ok(performance.now() - started < 5000);
    }
  });
});

describe("files that point at other files", () => {
  let directory = "";
  let playlist = "";
  let concatList = "";

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "glance-playlists-"));
    const clip = join(directory, "clip.mkv");
    await copyFile(await videoInContainer("mkv"), clip);
    // Both open a local file that is a real video, so ffprobe would read it and report its size.
    playlist = join(directory, "list.m3u8");
    await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n${clip}\n#EXT-X-ENDLIST\n`);
    concatList = join(directory, "list.ffconcat");
    await writeFile(concatList, "ffconcat version 1.0\nfile 'clip.mkv'\n");
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test("an HLS playlist is refused by its first bytes, in one line", async () => {
    for (const attempt of [
      () => probeVideo(playlist),
      () => prepareVideo(playlist, { model }),
      () => prepareMedia(playlist, { model }),
    ]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof MediaError, String(error));
        assert.equal(error.code, "unsupported-media");
        assert.match(error.message, /list\.m3u8: the file is an HLS playlist \(M3U8\), which points at other files/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
  });

  test("an ffmpeg concat list is refused by its first bytes, in one line", async () => {
    for (const attempt of [() => probeVideo(concatList), () => prepareVideo(concatList, { model })]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof MediaError, String(error));
        assert.equal(error.code, "unsupported-media");
        assert.match(error.message, /list\.ffconcat: the file is an ffmpeg concat list, which points at other files/);
        return true;
      });
    }
  });

  test("a video whose name looks like an ffmpeg protocol is read as a file", async () => {
    // ffmpeg would take "concat:a|b" as its concat protocol; the path is passed as file:<absolute path>.
    const path = join(directory, "concat:clip.mkv|clip.mkv");
    await copyFile(await videoInContainer("mkv"), path);
    const probe = await probeVideo(path);
    assert.equal(probe.durationSeconds < 4, true);
    assert.equal(probe.format, "mkv");
  });
});
