/*
 * One benchmark case, run in a fresh process so that its peak memory (maxRSS) is its own. Prints one
 * JSON line for bench/run.ts. Usage: measure-case.ts <kind> <path> [fps]
 *   prepare-image  prepareImage on the file, warm-up then timed runs
 *   decode-image   the floor: sharp's bare decode of the same file to raw pixels
 *   extract-video  prepareVideo in frames mode at the given fps
 *   decode-video   the floor: a full decode with ffmpeg (`ffmpeg -i video -f null -`)
 *   estimate-cli   the built CLI's `glance estimate` on every file of a folder, process start included
 *   metadata-floor the floor: sharp's metadata() of every file of the folder, in process
 *   pipeline-floor one bare sharp pipeline from the file to the prepared size and format
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultModel, estimateImageTokens, prepareImage, prepareVideo } from "@glance/core";
import sharp from "sharp";
import { ffmpegPath } from "../support/media-factory.js";

export const benchModel = "qwen3-vl-plus";

export interface CaseResult {
  /** Milliseconds of each timed run. */
  runsMilliseconds: number[];
  /** CPU milliseconds of each timed run, this process's threads only. */
  cpuMilliseconds: number[];
  /** Peak resident memory of this process, in megabytes. */
  peakRssMegabytes: number;
  preparedBytes?: number;
  preparedMimeType?: string;
  preparedWidth?: number;
  preparedHeight?: number;
  originalTokens?: number;
  preparedTokens?: number;
  frames?: number;
  /** Per-file token counts of the estimate cases, to check the CLI against the floor's own count. */
  estimatedTokens?: number[];
}

/**
 * CPU milliseconds (user and system, every thread of this process) of each timed run. On a shared
 * machine wall time swings with the neighbours' load; the CPU a case burns does much less, so the
 * tables give both. Child processes (ffmpeg, the CLI) are not counted: their cases report wall time only.
 */
const cpuRuns: number[] = [];

async function timed(runs: number, warmUp: boolean, action: () => Promise<void>): Promise<number[]> {
  if (warmUp) {
    await action();
  }
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await action();
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuRuns.push((cpu.user + cpu.system) / 1000);
  }
  return times;
}

function fullDecode(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      ffmpegPath(),
      ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", path, "-f", "null", "-"],
      (error) => (error === null ? resolve() : reject(error)),
    );
  });
}

async function measure(
  kind: string,
  path: string,
  fps: number,
  runs: number,
  target: string,
): Promise<Omit<CaseResult, "peakRssMegabytes" | "cpuMilliseconds">> {
  switch (kind) {
    case "prepare-image": {
      let prepared: Awaited<ReturnType<typeof prepareImage>> | undefined;
      const runsMilliseconds = await timed(runs, true, async () => {
        prepared = await prepareImage(path, { model: benchModel });
      });
      if (prepared === undefined) {
        throw new Error("no preparation ran");
      }
      return {
        runsMilliseconds,
        preparedBytes: prepared.data.length,
        preparedMimeType: prepared.mimeType,
        preparedWidth: prepared.width,
        preparedHeight: prepared.height,
        originalTokens: estimateImageTokens({
          model: benchModel,
          width: prepared.originalWidth,
          height: prepared.originalHeight,
        }).tokens,
        // The prepared file as the service will measure it: its real decoded size.
        preparedTokens: await sharp(prepared.data)
          .metadata()
          .then(
            (metadata) =>
              estimateImageTokens({ model: benchModel, width: metadata.width, height: metadata.height }).tokens,
          ),
      };
    }
    case "estimate-cli": {
      // The whole CLI process, start included, as a user runs it: `glance estimate <every file> --json`.
      const files = await copiesIn(path);
      let tokens: number[] = [];
      const runsMilliseconds = await timed(runs, true, async () => {
        // The default model: its input limit takes 200 screenshots in one request.
        const stdout = await runCli(["estimate", ...files, "--json"]);
        tokens = (JSON.parse(stdout) as { inputs: { tokens: number }[] }).inputs.map((input) => input.tokens);
      });
      return { runsMilliseconds, estimatedTokens: tokens };
    }
    case "metadata-floor": {
      // The floor: sharp's header read of the same files, in this (already started) process.
      const files = await copiesIn(path);
      let tokens: number[] = [];
      const runsMilliseconds = await timed(runs, true, async () => {
        tokens = [];
        for (const file of files) {
          const metadata = await sharp(file).metadata();
          tokens.push(
            estimateImageTokens({ model: defaultModel, width: metadata.width, height: metadata.height }).tokens,
          );
        }
      });
      return { runsMilliseconds, estimatedTokens: tokens };
    }
    case "decode-image":
      return {
        runsMilliseconds: await timed(runs, true, async () => {
          await sharp(path).raw().toBuffer();
        }),
      };
    case "pipeline-floor": {
      // The least any code can do for the same output: one sharp pipeline from the file to the prepared
      // size and format, with the encoder settings core uses (media-image-encoding.ts), no checks, no
      // copy of the pixels between resizing and encoding. `target` is "png:2144x1184" or "jpeg:WxH".
      const [format, size = ""] = target.split(":");
      const [width, height] = size.split("x").map(Number);
      return {
        runsMilliseconds: await timed(runs, true, async () => {
          const resized = sharp(path).autoOrient().resize(width, height, { fit: "fill", kernel: "lanczos3" });
          await (format === "png"
            ? resized.png({ compressionLevel: 6, adaptiveFiltering: false })
            : resized.flatten({ background: "#ffffff" }).jpeg({ quality: 90, mozjpeg: false, optimiseCoding: false })
          ).toBuffer();
        }),
      };
    }
    case "extract-video": {
      let frames = 0;
      const runsMilliseconds = await timed(runs, false, async () => {
        const prepared = await prepareVideo(path, { model: benchModel, fps, mode: "frames" });
        frames = prepared.kind === "frame-list" ? prepared.frames.length : 0;
      });
      return { runsMilliseconds, frames };
    }
    case "decode-video":
      return { runsMilliseconds: await timed(runs, false, () => fullDecode(path)) };
    default:
      throw new Error(`unknown case kind ${kind}`);
  }
}

/** The files of a folder of copies (the estimate cases take a folder), sorted so both cases see one order. */
async function copiesIn(directory: string): Promise<string[]> {
  return (await readdir(directory)).sort().map((name) => join(directory, name));
}

const glanceBin = fileURLToPath(new URL("../../core/cli/bin/glance.js", import.meta.url));

function runCli(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [glanceBin, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve(stdout);
      } else {
        reject(new Error(`glance ${args[0]} failed: ${stderr.trim() || error.message}`));
      }
    });
  });
}

const [kind = "", path = "", fpsArgument = "0", runsArgument = "3", target = ""] = process.argv.slice(2);
const result = await measure(kind, path, Number(fpsArgument), Number(runsArgument), target);
// maxRSS is in kilobytes.
const output: CaseResult = {
  ...result,
  cpuMilliseconds: cpuRuns,
  peakRssMegabytes: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
