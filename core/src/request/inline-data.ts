import { randomUUID } from "node:crypto";
import { dataUrlLength } from "../internal/data-url.js";

/*
 * Base64 data URLs without the strings. A 4K screenshot pair is 13 MB of base64; as strings in the
 * built body, then again inside the JSON text the SDK made of it, then again as the bytes sent, one
 * request in flight held about 45 MB, and a pool of four requests most of the action's memory.
 *
 * A built body's `image_url` and `video_url` hold the prepared bytes instead, and read as the usual
 * `{ url: "data:…;base64,…" }` (the string is made when someone reads `url`, and dropped after).
 * The client writes the body straight into one buffer (`serializeRequestBody`): the JSON around the
 * images, and each image's base64 written into its place in small slices, so no data URL string of
 * the whole file is ever made. The service receives the same JSON text as before.
 */

const inlineSource = Symbol("glance.inlineData");

interface InlineSource {
  mimeType: string;
  data: Buffer;
}

/** `{ url }` for a base64 data URL of these bytes, made only when `url` is read. */
export function inlineDataUrl(mimeType: string, data: Buffer): { url: string } {
  const holder = {};
  Object.defineProperty(holder, "url", {
    enumerable: true,
    get: () => `data:${mimeType};base64,${data.toString("base64")}`,
  });
  Object.defineProperty(holder, inlineSource, { enumerable: false, value: { mimeType, data } });
  return holder as { url: string };
}

function inlineSourceOf(value: unknown): InlineSource | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { [inlineSource]?: InlineSource })[inlineSource];
}

/** Bytes of input per slice of base64 written: a multiple of 3, so slices join without padding. */
const sliceBytes = 3 * 16_384;

/** The body as the JSON bytes to send, each inline data URL written in place from its bytes. */
export function serializeRequestBody(body: object): Buffer {
  const sources: InlineSource[] = [];
  // A marker no text can contain by chance: the body's strings are the user's and the model's.
  const marker = randomUUID();
  const json = JSON.stringify(body, (_key, value: unknown) => {
    const source = inlineSourceOf(value);
    if (source === undefined) return value;
    sources.push(source);
    return { url: `${marker}:${sources.length - 1}` };
  });
  if (sources.length === 0) return Buffer.from(json);
  // Text, then a source's index, then text, and so on.
  const pieces = json.split(new RegExp(`"${marker}:(\\d+)"`));
  let total = 0;
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) {
      total += Buffer.byteLength(piece);
    } else {
      const source = sources[Number(piece)] as InlineSource;
      total += 2 + dataUrlLength(source.mimeType, source.data.length);
    }
  });
  const wire = Buffer.allocUnsafe(total);
  let offset = 0;
  pieces.forEach((piece, index) => {
    if (index % 2 === 0) {
      offset += wire.write(piece, offset, "utf8");
      return;
    }
    const { mimeType, data } = sources[Number(piece)] as InlineSource;
    offset += wire.write(`"data:${mimeType};base64,`, offset, "latin1");
    for (let start = 0; start < data.length; start += sliceBytes) {
      offset += wire.write(data.subarray(start, start + sliceBytes).toString("base64"), offset, "latin1");
    }
    offset += wire.write('"', offset, "latin1");
  });
  return offset === total ? wire : wire.subarray(0, offset);
}
