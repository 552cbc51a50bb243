import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { VideoFormat } from "../media/detect-format.js";
import { mediaInputArguments, runMediaTool } from "./media-tools.js";

export interface FrameExtraction {
  /** JPEG frames in time order. */
  frames: Buffer[];
  /** How they were taken: one decoding pass, or one seek per frame. */
  method: "single-pass" | "seek";
}

export type FrameExtractionMethod = "auto" | "single-pass" | "seek";

export interface FrameExtractionOptions {
  /** The sampling rate as ffmpeg's fps filter takes it: "2" or an exact fraction "60000/599000". */
  fpsExpression: string;
  /** The same rate as a number: frame k is taken at k / fps seconds. */
  fps: number;
  width: number;
  height: number;
  maximumFrames: number;
  /** "auto" seeks when frames are at least a keyframe interval apart, and decodes everything otherwise. */
  method?: FrameExtractionMethod;
  /** The container told by the file's magic bytes: ffmpeg reads the file as this and nothing else. */
  format: VideoFormat;
  /** The deadline of the keyframe scan (ffprobe). */
  probeTimeoutMilliseconds: number;
  /** The deadline of each ffmpeg run. */
  decodeTimeoutMilliseconds: number;
}

/** ffmpeg's JPEG quality scale (2 best, 31 worst); 3 keeps text in frames legible at modest size. */
const frameJpegQuality = "3";

/*
 * Seeking: a decoder can start only at a keyframe, so taking the frame at T costs decoding from the
 * keyframe before T up to T. When frames are sampled at least a keyframe interval apart, seeking
 * decodes at most about one keyframe interval per frame, which is less than decoding the whole file;
 * when they are closer together, one pass over everything is cheaper. Each ffmpeg process seeks
 * several inputs (starting one process per frame would cost hundreds of process starts on a long
 * video), and two processes run at once so both cores of a small machine are busy.
 */
const framesPerSeekProcess = 16;
const concurrentSeekProcesses = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Samples a video at exactly the size the model will use, by the cheaper of two methods (see above).
 * Frames are written to a private temporary folder, read back, and the folder is removed, so a 1 GB
 * video never sits in memory.
 */
export async function extractFrames(
  path: string,
  input: string,
  options: FrameExtractionOptions,
): Promise<FrameExtraction> {
  const method = options.method ?? "auto";
  const sampleInterval = 1 / options.fps;
  const useSeek =
    method === "seek" ||
    (method === "auto" &&
      sampleInterval >= (await keyframeInterval(path, input, options.format, options.probeTimeoutMilliseconds)));
  const directory = await mkdtemp(join(tmpdir(), "glance-frames-"));
  try {
    const frames = useSeek
      ? await extractBySeeking(path, input, options, directory)
      : await extractInOnePass(path, input, options, directory);
    return { frames, method: useSeek ? "seek" : "single-pass" };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * The longest gap between keyframes over the whole file, the stretch after the last keyframe up to the
 * last packet included, read from packet flags with ffprobe (which demuxes but decodes nothing, so even
 * a two-hour file takes a second or two). Measuring only the start is not enough: a file whose
 * keyframes stop after a minute makes every later seek decode from that last keyframe, which turned
 * a 2.5 s one-pass sampling into minutes. Infinity when fewer than two keyframes are seen: seeking
 * could cost a decode from the start each time.
 */
export async function keyframeInterval(
  path: string,
  input: string,
  format: VideoFormat,
  timeoutMilliseconds: number,
): Promise<number> {
  const { stdout } = await runMediaTool(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=pts_time,flags",
      "-of",
      "csv=p=0",
      ...mediaInputArguments(path, format),
    ],
    input,
    { purpose: "measuring the keyframe spacing", timeoutMilliseconds },
  );
  const keyframeTimes: number[] = [];
  let lastPacket = Number.NEGATIVE_INFINITY;
  for (const line of stdout.toString("utf8").split("\n")) {
    const [time, flags] = line.trim().split(",");
    const seconds = Number(time);
    if (time === undefined || time === "" || time === "N/A" || !Number.isFinite(seconds)) {
      continue;
    }
    lastPacket = Math.max(lastPacket, seconds);
    if (flags?.includes("K") === true) {
      keyframeTimes.push(seconds);
    }
  }
  if (keyframeTimes.length < 2) {
    return Number.POSITIVE_INFINITY;
  }
  keyframeTimes.sort((first, second) => first - second);
  let longest = 0;
  for (let index = 1; index < keyframeTimes.length; index += 1) {
    longest = Math.max(longest, (keyframeTimes[index] ?? 0) - (keyframeTimes[index - 1] ?? 0));
  }
  // A frame after the last keyframe is reached only by decoding from that keyframe.
  return Math.max(longest, lastPacket - (keyframeTimes[keyframeTimes.length - 1] ?? 0));
}

function scaleFilter(options: FrameExtractionOptions): string {
  return `scale=${options.width}:${options.height}:flags=bicubic,format=yuvj420p`;
}

const quietFfmpeg = ["-hide_banner", "-nostdin", "-loglevel", "error"];

/** One pass: the fps filter picks frames from a full decode; ffmpeg streams the file from disk. */
async function extractInOnePass(
  path: string,
  input: string,
  options: FrameExtractionOptions,
  directory: string,
): Promise<Buffer[]> {
  await runMediaTool(
    "ffmpeg",
    [
      ...quietFfmpeg,
      ...mediaInputArguments(path, options.format),
      // Only the video is wanted: no audio, subtitle or data output.
      "-an",
      "-sn",
      "-dn",
      "-vf",
      // round=up gives tick k the last frame at or before k / fps, which is the frame at exactly that
      // time when there is one. The default (near) keeps the last frame within half an interval
      // after it: up to a second late at 0.5 fps, and unlike what seeking gives.
      `fps=fps=${options.fpsExpression}:round=up,${scaleFilter(options)}`,
      "-frames:v",
      String(options.maximumFrames),
      "-q:v",
      frameJpegQuality,
      "-f",
      "image2",
      join(directory, "frame-%06d.jpg"),
    ],
    input,
    { purpose: "sampling frames", timeoutMilliseconds: options.decodeTimeoutMilliseconds },
  );
  const names = (await readdir(directory)).filter((name) => name.endsWith(".jpg")).sort();
  const frames: Buffer[] = [];
  for (const name of names) {
    frames.push(await readFile(join(directory, name)));
  }
  return frames;
}

/**
 * One input seek per frame. "-ss" before "-i" seeks to the keyframe before the time and then decodes,
 * discarding frames, up to the first frame at or after it (ffmpeg's accurate seek, on by default when
 * re-encoding), so frame k is the picture at k / fps seconds, as in the single pass.
 */
async function extractBySeeking(
  path: string,
  input: string,
  options: FrameExtractionOptions,
  directory: string,
): Promise<Buffer[]> {
  const times = Array.from({ length: options.maximumFrames }, (_, index) => index / options.fps);
  const batches: number[][] = [];
  for (let first = 0; first < times.length; first += framesPerSeekProcess) {
    batches.push(
      Array.from({ length: Math.min(framesPerSeekProcess, times.length - first) }, (_, offset) => first + offset),
    );
  }
  let next = 0;
  // When one run fails (or hits its deadline), the others are stopped too, and all are waited for, so
  // no ffmpeg process outlives the failed preparation.
  const stop = new AbortController();
  let firstFailure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < batches.length && !stop.signal.aborted) {
      const batch = batches[next] ?? [];
      next += 1;
      try {
        await runMediaTool("ffmpeg", seekArguments(path, batch, times, options, directory), input, {
          purpose: "sampling frames",
          timeoutMilliseconds: options.decodeTimeoutMilliseconds,
          signal: stop.signal,
        });
      } catch (error) {
        // The first failure is the cause; the others were stopped because of it.
        firstFailure ??= { error };
        stop.abort();
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrentSeekProcesses, batches.length) }, worker));
  if (firstFailure !== undefined) {
    throw firstFailure.error;
  }
  const frames: Buffer[] = [];
  for (let index = 0; index < times.length; index += 1) {
    try {
      frames.push(await readFile(seekFramePath(directory, index)));
    } catch {
      // A time past the last frame gives no picture; like the single pass, the list ends there.
      break;
    }
  }
  return frames;
}

function seekArguments(
  path: string,
  batch: readonly number[],
  times: readonly number[],
  options: FrameExtractionOptions,
  directory: string,
): string[] {
  const inputs: string[] = [];
  const outputs: string[] = [];
  batch.forEach((frameIndex, inputIndex) => {
    // One decoding thread per input: the processes already run side by side, and each input's
    // decoder holds fewer frames in memory with one thread.
    inputs.push(
      "-threads",
      "1",
      "-ss",
      (times[frameIndex] ?? 0).toFixed(6),
      ...mediaInputArguments(path, options.format),
    );
    outputs.push(
      "-map",
      `${inputIndex}:v:0`,
      "-vf",
      scaleFilter(options),
      "-frames:v",
      "1",
      "-q:v",
      frameJpegQuality,
      "-f",
      "image2",
      seekFramePath(directory, frameIndex),
    );
  });
  return [...quietFfmpeg, ...inputs, ...outputs];
}

function seekFramePath(directory: string, index: number): string {
  return join(directory, `frame-${String(index).padStart(6, "0")}.jpg`);
}

/** Re-encodes a small non-API container (WebM) as H.264 MP4 so it can be sent as a file. */
export async function convertToMp4(
  path: string,
  outputPath: string,
  input: string,
  format: VideoFormat,
  timeoutMilliseconds: number,
): Promise<void> {
  await runMediaTool(
    "ffmpeg",
    [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-y",
      ...mediaInputArguments(path, format),
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
    { purpose: "converting the video to MP4", timeoutMilliseconds },
  );
}
