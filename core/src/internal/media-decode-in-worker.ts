import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { MediaError } from "../errors.js";
import { workerFile } from "./worker-file.js";

export interface DecodedPixels {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  data: Buffer;
}

/** What media-decode-worker.js answers (it is JavaScript, so the shape is restated here). */
type DecodeAnswer =
  | { kind: "pixels"; width: number; height: number; data: Uint8Array }
  | { kind: "too-many-pixels"; width: number; height: number }
  | { kind: "truncated"; message: string }
  | { kind: "failed"; message: string };

/** How the caller words its errors, so both decoding paths report alike. */
export interface DecodeErrors {
  /** Throws the pixel-limit error for a size read from the header (the caller's own check). */
  checkPixels(input: string, size: { width: number; height: number }, maxInputPixels: number): void;
  /** The error for a decoder failure. */
  decodingError(error: unknown, input: string, format: string): Error;
}

function decodeWorkerFile(): URL {
  const url = workerFile("media-decode-worker.js", import.meta.url);
  if (url !== undefined) return url;
  throw new MediaError(
    "media-tool",
    "image decoder",
    `the decoding worker (media-decode-worker.js) was not found beside ${fileURLToPath(import.meta.url)}. Ship it with the build, or bundle it as an entry point of its own.`,
  );
}

/**
 * Decodes a BMP or HEIC file in a worker thread, so the main thread keeps serving while it runs
 * (bmp-js and libheif's WebAssembly would hold it for seconds on a large file). Callers check the
 * pixel count from the header first where they can read it (BMP); the worker checks HEIC's before
 * decoding, since only the decoder reads that header.
 */
export function decodeInWorker(
  format: "bmp" | "heic",
  bytes: Buffer,
  input: string,
  maxInputPixels: number,
  errors: DecodeErrors,
): Promise<DecodedPixels> {
  const label = format.toUpperCase();
  return new Promise((resolve, reject) => {
    // The bytes are copied into the worker (structured clone): the caller keeps its buffer. The worker
    // is plain JavaScript that loads only Node's modules and the two decoders, so it gets none of the
    // parent's Node options: a loader such as tsx would otherwise start with it and cost the main
    // thread a few hundred milliseconds.
    const worker = new Worker(decodeWorkerFile(), { workerData: { format, bytes, maxInputPixels }, execArgv: [] });
    let answered = false;
    worker.once("message", (answer: DecodeAnswer) => {
      answered = true;
      void worker.terminate();
      try {
        resolve(pixelsOf(answer, format, input, maxInputPixels, errors));
      } catch (error) {
        reject(error);
      }
    });
    worker.once("error", (error) => {
      answered = true;
      reject(new MediaError("media-tool", input, `the ${label} decoder failed: ${error.message}.`, { cause: error }));
    });
    worker.once("exit", (code) => {
      if (!answered) {
        reject(
          new MediaError(
            "media-tool",
            input,
            `the ${label} decoder stopped (exit code ${code}) before it answered; the file may need more memory than is free.`,
          ),
        );
      }
    });
  });
}

function pixelsOf(
  answer: DecodeAnswer,
  format: "bmp" | "heic",
  input: string,
  maxInputPixels: number,
  errors: DecodeErrors,
): DecodedPixels {
  switch (answer.kind) {
    case "pixels":
      return {
        width: answer.width,
        height: answer.height,
        data: Buffer.from(answer.data.buffer, answer.data.byteOffset, answer.data.byteLength),
      };
    case "too-many-pixels":
      errors.checkPixels(input, answer, maxInputPixels);
      throw new MediaError("unreadable-media", input, `the ${format.toUpperCase()} header gives no valid size.`);
    case "truncated":
      throw new MediaError("unreadable-media", input, answer.message);
    case "failed":
      throw errors.decodingError(new Error(answer.message), input, format);
  }
}
