// @ts-check
/*
 * The worker thread that decodes the image formats sharp cannot (BMP with bmp-js, HEIC with libheif's
 * WebAssembly build): both are JavaScript or WebAssembly that would hold the main thread for seconds
 * on a large file (a 10000x10000 1-bit BMP: about 3 s), and with it every other request the process
 * serves. One worker per image, so its memory goes back when it exits.
 *
 * Plain JavaScript, type-checked by tsc (checkJs): Node 20 runs loader hooks (tsx, which runs the
 * TypeScript sources in tests) on the main thread only, so a TypeScript worker would not load from
 * sources. It imports no module of ours and returns plain descriptions; media-decode-in-worker.ts
 * turns them into our errors.
 *
 * In: workerData { format: "bmp" | "heic", bytes: Uint8Array, maxInputPixels: number }.
 * Out: one message, a DecodeAnswer (see media-decode-in-worker.ts); pixels are transferred, not copied.
 */
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";

// bmp-js and heic-decode are CommonJS without type declarations.
const requireModule = createRequire(import.meta.url);

/**
 * @typedef {{ format: "bmp" | "heic", bytes: Uint8Array, maxInputPixels: number }} DecodeRequest
 * @typedef {{ kind: "pixels", width: number, height: number, data: Uint8Array }
 *   | { kind: "too-many-pixels", width: number, height: number }
 *   | { kind: "truncated", message: string }
 *   | { kind: "failed", message: string }} DecodeAnswer
 */

/**
 * bmp-js hands out ABGR; sharp's raw input wants RGBA, converted in place (a second 400 MB buffer for
 * a 100-megapixel file is not needed). Alpha is set opaque: bmp-js leaves it 0 for 24-bit files, and
 * most 32-bit files leave it unused (0) too, which would make the picture invisible.
 * @param {Buffer} bytes
 * @returns {DecodeAnswer}
 */
function decodeBmp(bytes) {
  const bmp = /** @type {{ decode(buffer: Buffer): { width: number, height: number, data: Buffer } }} */ (
    requireModule("bmp-js")
  );
  const decoded = bmp.decode(bytes);
  const pixelCount = decoded.width * decoded.height;
  const data = decoded.data;
  if (data.length < pixelCount * 4) {
    return { kind: "truncated", message: "the BMP pixel data is shorter than its header says; it is truncated." };
  }
  for (let offset = 0; offset < pixelCount * 4; offset += 4) {
    const blue = data[offset + 1] ?? 0;
    data[offset] = data[offset + 3] ?? 0;
    data[offset + 1] = data[offset + 2] ?? 0;
    data[offset + 2] = blue;
    data[offset + 3] = 255;
  }
  return { kind: "pixels", width: decoded.width, height: decoded.height, data: data.subarray(0, pixelCount * 4) };
}

/**
 * heic-decode reads each image's size before decoding it, which is where the pixel limit is checked.
 * @param {Buffer} bytes
 * @param {number} maxInputPixels
 * @returns {Promise<DecodeAnswer>}
 */
async function decodeHeic(bytes, maxInputPixels) {
  const heic =
    /** @type {{ all(input: { buffer: Uint8Array }): Promise<Array<{ width: number, height: number, decode(): Promise<{ width: number, height: number, data: Uint8ClampedArray }> }> & { dispose(): void }> }} */ (
      requireModule("heic-decode")
    );
  const images = await heic.all({ buffer: bytes });
  try {
    const first = images[0];
    if (first === undefined) {
      return { kind: "failed", message: "the HEIC file holds no image" };
    }
    if (!(first.width >= 1 && first.height >= 1) || first.width * first.height > maxInputPixels) {
      return { kind: "too-many-pixels", width: first.width, height: first.height };
    }
    const decoded = await first.decode();
    return {
      kind: "pixels",
      width: decoded.width,
      height: decoded.height,
      data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
    };
  } finally {
    images.dispose();
  }
}

/**
 * @param {DecodeRequest} request
 * @returns {Promise<DecodeAnswer>}
 */
async function decode(request) {
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  try {
    return request.format === "bmp" ? decodeBmp(bytes) : await decodeHeic(bytes, request.maxInputPixels);
  } catch (error) {
    return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  void decode(/** @type {DecodeRequest} */ (workerData)).then((answer) => {
    // Moved, not copied, when the pixels own their memory (a pooled small buffer is copied instead).
    const owned =
      answer.kind === "pixels" &&
      answer.data.byteOffset === 0 &&
      answer.data.byteLength === answer.data.buffer.byteLength &&
      answer.data.buffer instanceof ArrayBuffer;
    port.postMessage(
      answer,
      owned && answer.kind === "pixels" ? [/** @type {ArrayBuffer} */ (answer.data.buffer)] : [],
    );
  });
}
