import { MediaError } from "../errors.js";
import { readSourceHead } from "../internal/media-source.js";
import { defaultProbeTimeoutMilliseconds, mediaInputArguments, runMediaTool } from "../internal/media-tools.js";
import { detectFormat, type VideoFormat } from "./detect-format.js";

export interface VideoProbe {
  /** Displayed frame size: already swapped when the stream carries a 90 or 270 degree rotation. */
  width: number;
  height: number;
  /** The stored (coded) frame size, before rotation. */
  storedWidth: number;
  storedHeight: number;
  /** The display rotation stored in the file, normalised to 0, 90, 180 or 270 degrees. */
  rotation: number;
  frameCount: number;
  frameRate: number;
  durationSeconds: number;
  /** The video stream's codec, such as "h264" or "vp9". */
  codec: string;
  /** The container told by the file's first bytes; ffmpeg is made to read the file as this and nothing else. */
  format: VideoFormat;
  /** ffprobe's container name, such as "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string;
  sizeBytes: number;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number | string }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; size?: string };
}

export interface ProbeVideoOptions {
  /** ffprobe is killed after this long (default 30 s): a hostile file must not hold a process. */
  timeoutMilliseconds?: number;
}

/**
 * Reads a video's size, rate, length and codec with ffprobe, without decoding any frame. The file's
 * first bytes must be a video container: a playlist (HLS .m3u8), an ffmpeg concat list or anything else
 * that would make ffmpeg open other files or URLs is refused before ffprobe runs.
 */
export async function probeVideo(path: string, input = path, options: ProbeVideoOptions = {}): Promise<VideoProbe> {
  const { head } = await readSourceHead(path, input);
  const detected = detectFormat(head, input);
  if (detected.kind !== "video") {
    throw new MediaError(
      "unsupported-media",
      input,
      `the file is a ${detected.format} image, not a video. Use prepareImage or prepareMedia for images.`,
    );
  }
  return probeVideoFile(path, input, detected.format, options.timeoutMilliseconds ?? defaultProbeTimeoutMilliseconds);
}

/** probeVideo for a file whose container was already told from its first bytes. */
export async function probeVideoFile(
  path: string,
  input: string,
  format: VideoFormat,
  timeoutMilliseconds: number,
): Promise<VideoProbe> {
  const { stdout } = await runMediaTool(
    "ffprobe",
    [
      "-v",
      "error",
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      "-select_streams",
      "v:0",
      ...mediaInputArguments(path, format),
    ],
    input,
    { purpose: "reading the video's header", timeoutMilliseconds },
  );
  let output: ProbeOutput;
  try {
    output = JSON.parse(stdout.toString("utf8")) as ProbeOutput;
  } catch (error) {
    throw new MediaError("media-tool", input, "ffprobe printed output that is not JSON.", { cause: error });
  }
  const stream = output.streams?.find((candidate) => candidate.codec_type === "video");
  if (stream === undefined || !isPositive(stream.width) || !isPositive(stream.height)) {
    throw new MediaError("unreadable-media", input, "the file has no video stream (it may be audio only or damaged).");
  }
  const frameRate = parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate);
  const durationSeconds = parseNumber(stream.duration) ?? parseNumber(output.format?.duration);
  if (frameRate === undefined || durationSeconds === undefined || durationSeconds <= 0) {
    throw new MediaError(
      "unreadable-media",
      input,
      "ffprobe could not tell the video's frame rate or duration; it may be damaged.",
    );
  }
  // Matroska and WebM store no frame count: derive it from the duration.
  const storedCount = parseNumber(stream.nb_frames);
  const frameCount =
    storedCount !== undefined && storedCount > 0 ? storedCount : Math.max(1, Math.round(durationSeconds * frameRate));
  const rotation = streamRotation(stream);
  const quarterTurn = rotation === 90 || rotation === 270;
  return {
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
    storedWidth: stream.width,
    storedHeight: stream.height,
    rotation,
    frameCount,
    frameRate,
    durationSeconds,
    codec: stream.codec_name ?? "unknown",
    format,
    container: output.format?.format_name ?? "unknown",
    sizeBytes: parseNumber(output.format?.size) ?? 0,
  };
}

function streamRotation(stream: ProbeStream): number {
  const fromSideData = stream.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation;
  const raw = fromSideData ?? stream.tags?.rotate;
  const degrees = raw === undefined ? 0 : Number(raw);
  if (!Number.isFinite(degrees)) {
    return 0;
  }
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

function parseRate(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const [numerator, denominator = "1"] = value.split("/");
  const rate = Number(numerator) / Number(denominator);
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === "N/A") {
    return undefined;
  }
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function isPositive(value: number | undefined): value is number {
  return value !== undefined && value > 0;
}
