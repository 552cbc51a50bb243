import { constants } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename } from "node:path";
import { MediaError } from "../errors.js";
import { formatSniffBytes } from "../media/detect-format.js";

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
  const handle = await openSource(source, input);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new MediaError("unreadable-media", input, `${source} is not a regular file.`);
    }
    const head = Buffer.alloc(Math.min(formatSniffBytes, stats.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size: stats.size };
  } finally {
    await handle.close();
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

async function openSource(path: string, input: string) {
  try {
    // Non-blocking, so a named pipe without a writer is opened (and refused as not a regular file)
    // instead of holding a thread-pool thread forever.
    return await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadableFile(path, input, error);
  }
}

/** Why a path could not be opened or read, as one MediaError naming the input. */
export function unreadableFile(path: string, input: string, error: unknown): MediaError {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  const reason =
    code === "ENOENT"
      ? "the file does not exist"
      : code === "EACCES"
        ? "permission to read the file was denied"
        : `the file could not be read (${error instanceof Error ? error.message : String(error)})`;
  // The message starts with the input's name already; repeat the path only when the name is not it.
  const where = input === path ? "" : ` (${path})`;
  return new MediaError("unreadable-media", input, `${reason}${where}.`, { cause: error });
}
