/*
 * The built `glance` command refuses files that would make ffmpeg open other files (an HLS playlist, an
 * ffmpeg concat list), in one line and without running ffmpeg on them, as a user sees it.
 */
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { videoInContainer } from "../support/media-factory.js";
import { runGlance } from "../support/run-glance.js";

describe("glance CLI: playlists and concat lists", () => {
  let directory = "";

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "glance-cli-playlists-"));
    await copyFile(await videoInContainer("mkv"), join(directory, "clip.mkv"));
    await writeFile(
      join(directory, "clip.m3u8"),
      `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n${join(directory, "clip.mkv")}\n#EXT-X-ENDLIST\n`,
    );
    await writeFile(join(directory, "clip.ffconcat"), "ffconcat version 1.0\nfile 'clip.mkv'\n");
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  for (const [file, what] of [
    ["clip.m3u8", "an HLS playlist \\(M3U8\\), which points at other files"],
    ["clip.ffconcat", "an ffmpeg concat list, which points at other files"],
  ] as const) {
    it(`refuses ${file} in one line`, async () => {
      const run = await runGlance(["estimate", file], {}, directory);
      assert.notEqual(run.exitCode, 0, run.stdout);
      assert.equal(run.stdout, "");
      const lines = run.stderr.trim().split("\n");
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0] ?? "", new RegExp(`${file.replace(".", "\\.")}: the file is ${what}`));
    });
  }
});
