import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { formatSniffBytes } from "../media/detect-format.js";
import { closeFileReader, openFileReader, unreadableFile } from "./media-byte-reader.js";

/** A file given by path or already in memory; videos are never read whole when given by path. */
export type MediaSource = Buffer | string;

export interface SourceHead {
  /** The first bytes, for format detection. */
  head: Buffer;
  /** The whole size in bytes. */
  size: number;
}

/** The label used in messages: the caller's name, else the file's base name, else a generic word. */
export function sourceName(source: MediaSource, name: string | undefined, fallback: string): string {
  if (name !== undefined && name !== "") {
    return name;
  }
  return typeof source === "string" ? basename(source) : fallback;
}

/** Reads only the first bytes of a path, so a 1 GB video costs one small read here. */
export async function readSourceHead(source: MediaSource, input: string): Promise<SourceHead> {
  if (typeof source !== "string") {
    return { head: source.subarray(0, formatSniffBytes), size: source.length };
  }
  // The one way a media path is opened: non-blocking, refused unless it is a regular file.
  const reader = openFileReader(source, input);
  try {
    return { head: reader.slice(0, Math.min(formatSniffBytes, reader.length)), size: reader.length };
  } finally {
    closeFileReader(reader);
  }
}

/** Reads a whole file; only for images and for videos already known to be small. */
export async function readSource(source: MediaSource, input: string): Promise<Buffer> {
  if (typeof source !== "string") {
    return source;
  }
  try {
    return await readFile(source);
  } catch (error) {
    throw unreadableFile(source, input, error);
  }
}
