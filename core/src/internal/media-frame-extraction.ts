import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMediaTool } from "./media-tools.js";

export interface FrameExtraction {
  /** JPEG frames in time order. */
  frames: Buffer[];
}

/** ffmpeg's JPEG quality scale (2 best, 31 worst); 3 keeps text in frames legible at modest size. */
const frameJpegQuality = "3";

/**
 * Samples a video in one ffmpeg pass: the fps filter picks frames, scale sizes them to exactly what
 * the model will use, and ffmpeg streams the file from disk, so a 1 GB video never sits in memory.
 * Frames are written to a private temporary folder, read back, and the folder is removed.
 */
export async function extractFrames(
  path: string,
  input: string,
  options: { fpsExpression: string; width: number; height: number; maximumFrames: number },
): Promise<FrameExtraction> {
  const directory = await mkdtemp(join(tmpdir(), "glance-frames-"));
  try {
    await runMediaTool(
      "ffmpeg",
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        path,
        // Only the video is wanted: no audio, subtitle or data output.
        "-an",
        "-sn",
        "-dn",
        "-vf",
        `fps=${options.fpsExpression},scale=${options.width}:${options.height}:flags=bicubic,format=yuvj420p`,
        "-frames:v",
        String(options.maximumFrames),
        "-q:v",
        frameJpegQuality,
        "-f",
        "image2",
        join(directory, "frame-%06d.jpg"),
      ],
      input,
    );
    const names = (await readdir(directory)).filter((name) => name.endsWith(".jpg")).sort();
    const frames: Buffer[] = [];
    for (const name of names) {
      frames.push(await readFile(join(directory, name)));
    }
    return { frames };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Re-encodes a small non-API container (WebM) as H.264 MP4 so it can be sent as a file. */
export async function convertToMp4(path: string, outputPath: string, input: string): Promise<void> {
  await runMediaTool(
    "ffmpeg",
    [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-y",
      "-i",
      path,
      "-an",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "23",
      "-pix_fmt",
      "yuv420p",
      // Keeps the index at the front so the service can read the file from the start.
      "-movflags",
      "+faststart",
      outputPath,
    ],
    input,
  );
}
