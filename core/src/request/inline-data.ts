import { randomUUID } from "node:crypto";
import { dataUrl, dataUrlLength, dataUrlPrefix } from "../internal/data-url.js";

/*
 * Base64 data URLs without the strings. A 4K screenshot pair is 13 MB of base64; as strings in the
 * built body, then again inside the JSON text the SDK made of it, then again as the bytes sent, one
 * request in flight held about 45 MB, and a pool of four requests most of the action's memory.
 *
 * A built body's `image_url` and `video_url` hold the prepared bytes instead, and read as the usual
 * `{ url: "data:…;base64,…" }` (the string is made when someone reads `url`, and dropped after); a
 * video's frame list reads as the usual array of data URLs, each made when its element is read.
 * The client sends the body as a stream (`requestBodyBytes`): the JSON around the images, and each
 * image's base64 made in small slices as the connection takes them, so neither a data URL string nor
 * a buffer of the whole body is ever made. The service receives the same JSON text as before, with its
 * length in Content-Length.
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
    get: () => dataUrl(mimeType, data),
  });
  Object.defineProperty(holder, inlineSource, { enumerable: false, value: { mimeType, data } });
  return holder as { url: string };
}

const inlineSourceList = Symbol("glance.inlineDataList");

/**
 * A list of base64 data URLs (a video's frames), each made only when its element is read. The list is
 * an ordinary array to its readers: `length`, indexes, `map` and JSON all see the data URL strings.
 */
export function inlineDataUrlList(items: readonly { mimeType: string; data: Buffer }[]): string[] {
  const list: string[] = [];
  items.forEach(({ mimeType, data }, index) => {
    Object.defineProperty(list, index, {
      enumerable: true,
      get: () => dataUrl(mimeType, data),
    });
  });
  Object.defineProperty(list, inlineSourceList, {
    enumerable: false,
    value: items.map(({ mimeType, data }) => ({ mimeType, data })),
  });
  return list;
}

function inlineSourceOf(value: unknown): InlineSource | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  return (value as { [inlineSource]?: InlineSource })[inlineSource];
}

function inlineSourceListOf(value: unknown): InlineSource[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return (value as { [inlineSourceList]?: InlineSource[] })[inlineSourceList];
}

/** Bytes of input per slice of base64 written: a multiple of 3, so slices join without padding. */
const sliceBytes = 3 * 16_384;

/** A request body as the bytes to send: its length, and a fresh stream of them for each attempt. */
export interface RequestBodyBytes {
  byteLength: number;
  /** The bytes in slices of about 64 KB, made as the connection takes them. */
  stream(): ReadableStream<Uint8Array>;
}

/**
 * The body's JSON bytes, each inline data URL written in its place from the image's bytes. Nothing of
 * the size of an image is made: the JSON around the images is one small string, and the base64 is
 * made slice by slice while the request is sent, so a request in flight holds only its images' bytes.
 */
export function requestBodyBytes(body: object): RequestBodyBytes {
  const sources: InlineSource[] = [];
  // A marker no text can contain by chance: the body's strings are the user's and the model's.
  const marker = randomUUID();
  const json = JSON.stringify(body, (_key, value: unknown) => {
    const list = inlineSourceListOf(value);
    if (list !== undefined) {
      return list.map((source) => {
        sources.push(source);
        return `${marker}:${sources.length - 1}`;
      });
    }
    const source = inlineSourceOf(value);
    if (source === undefined) return value;
    sources.push(source);
    return { url: `${marker}:${sources.length - 1}` };
  });
  // Text, then a source's index, then text, and so on.
  const pieces = sources.length === 0 ? [json] : json.split(new RegExp(`"${marker}:(\\d+)"`));
  let byteLength = 0;
  pieces.forEach((piece, index) => {
    byteLength +=
      index % 2 === 0 ? Buffer.byteLength(piece) : 2 + dataUrlLengthOf(sources[Number(piece)] as InlineSource);
  });
  function* slices(): Generator<Uint8Array> {
    for (const [index, piece] of pieces.entries()) {
      if (index % 2 === 0) {
        if (piece !== "") yield Buffer.from(piece);
        continue;
      }
      const { mimeType, data } = sources[Number(piece)] as InlineSource;
      yield Buffer.from(`"${dataUrlPrefix(mimeType)}`, "latin1");
      for (let start = 0; start < data.length; start += sliceBytes) {
        yield Buffer.from(data.subarray(start, start + sliceBytes).toString("base64"), "latin1");
      }
      yield Buffer.from('"', "latin1");
    }
  }
  return {
    byteLength,
    stream: () => {
      const iterator = slices();
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = iterator.next();
          if (next.done === true) {
            controller.close();
          } else {
            controller.enqueue(next.value);
          }
        },
      });
    },
  };
}

function dataUrlLengthOf(source: InlineSource): number {
  return dataUrlLength(source.mimeType, source.data.length);
}
