import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// core/src/internal/media-decode-worker.js
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
var requireModule = createRequire(import.meta.url);
function decodeBmp(bytes) {
  const bmp = (
    /** @type {{ decode(buffer: Buffer): { width: number, height: number, data: Buffer } }} */
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
async function decodeHeic(bytes, maxInputPixels) {
  const heic = (
    /** @type {{ all(input: { buffer: Uint8Array }): Promise<Array<{ width: number, height: number, decode(): Promise<{ width: number, height: number, data: Uint8ClampedArray }> }> & { dispose(): void }> }} */
    requireModule("heic-decode")
  );
  const images = await heic.all({ buffer: bytes });
  try {
    const first = images[0];
    if (first === void 0) {
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
      data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength)
    };
  } finally {
    images.dispose();
  }
}
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
  void decode(
    /** @type {DecodeRequest} */
    workerData
  ).then((answer) => {
    const owned = answer.kind === "pixels" && answer.data.byteOffset === 0 && answer.data.byteLength === answer.data.buffer.byteLength && answer.data.buffer instanceof ArrayBuffer;
    port.postMessage(
      answer,
      owned && answer.kind === "pixels" ? [
        /** @type {ArrayBuffer} */
        answer.data.buffer
      ] : []
    );
  });
}
