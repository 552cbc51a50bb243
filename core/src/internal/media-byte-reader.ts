import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { MediaError } from "../errors.js";

/*
 * Random access to a file's bytes for the header-only estimate: the structural walk reads a few bytes
 * at each chunk, box or segment header and skips the data between them, so a 2 MB PNG costs a couple
 * of hundred small reads instead of one 2 MB read and copy.
 *
 * The reads of a file are synchronous on purpose. Each is a positioned read of one small block; a
 * screenshot's 224 chunk headers take about 0.15 ms this way, where the same reads through the thread
 * pool (fs.promises) take several milliseconds of queueing, and a whole-file read plus copy takes
 * 0.4 ms. They hold the event loop for no longer than the copy a readFile would make, and the front
 * ends that serve many users (the bot, the action) estimate bytes they already hold in memory.
 */

/** The bytes of a file or a buffer, read where asked; the methods mirror Buffer's. */
export interface ByteReader {
  /** The whole size in bytes. */
  readonly length: number;
  /** The byte at an offset (0 past the end, as a Buffer's index gives undefined). */
  byteAt(offset: number): number | undefined;
  readUInt16BE(offset: number): number;
  readUInt16LE(offset: number): number;
  readUInt32BE(offset: number): number;
  readUInt32LE(offset: number): number;
  readInt32LE(offset: number): number;
  readBigUInt64BE(offset: number): bigint;
  /** Latin-1 text of [start, end). */
  latin1(start: number, end: number): string;
  /** Bytes [start, end), a copy or a view. */
  slice(start: number, end: number): Buffer;
  /** The last offset at or after `from` where `pattern` starts, or -1. */
  lastIndexOf(pattern: Buffer, from: number): number;
}

/** A reader over bytes already in memory. */
export function bufferReader(bytes: Buffer): ByteReader {
  return {
    length: bytes.length,
    byteAt: (offset) => bytes[offset],
    readUInt16BE: (offset) => bytes.readUInt16BE(offset),
    readUInt16LE: (offset) => bytes.readUInt16LE(offset),
    readUInt32BE: (offset) => bytes.readUInt32BE(offset),
    readUInt32LE: (offset) => bytes.readUInt32LE(offset),
    readInt32LE: (offset) => bytes.readInt32LE(offset),
    readBigUInt64BE: (offset) => bytes.readBigUInt64BE(offset),
    latin1: (start, end) => bytes.toString("latin1", start, end),
    slice: (start, end) => bytes.subarray(start, end),
    lastIndexOf: (pattern, from) => {
      const found = bytes.lastIndexOf(pattern);
      return found >= from ? found : -1;
    },
  };
}

/*
 * Reads are sized by how the walk moves. A read close after the last block (GIF sub-blocks of 255
 * bytes, JPEG segments) takes a large block, so a walk over small steps reads each part of the file
 * once; a read far from it (the next of a PNG's 8 KB chunks) takes only a few bytes, so skipping
 * costs no copying. The one block buffer is reused: a walk allocates nothing per read.
 */
const nearBytes = 4096;
const smallReadBytes = 64;
const largeReadBytes = 65_536;
/** A reader over an open file. Close it with `closeFileReader`. */
export interface FileReader extends ByteReader {
  readonly descriptor: number;
}

/** Opens a path for positioned reads; an unreadable path is a MediaError naming why. */
export function openFileReader(path: string, input: string): FileReader {
  const unreadable = (error: unknown) => unreadableFile(path, input, error);
  let descriptor: number;
  let length: number;
  try {
    // Non-blocking: opening a named pipe that nobody writes to would otherwise wait forever, and
    // synchronously, with the whole process. A regular file reads the same either way.
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) {
      throw new MediaError("unreadable-media", input, `${path} is not a regular file.`);
    }
    length = stats.size;
  } catch (error) {
    closeSync(descriptor);
    throw error instanceof MediaError ? error : unreadable(error);
  }
  let storage = Buffer.allocUnsafe(largeReadBytes);
  let block = storage.subarray(0, 0);
  let blockStart = 0;
  /** The bytes [start, start + count), clipped to the file; reads a new block when they are not held. */
  const window = (start: number, count: number): Buffer => {
    const end = Math.min(start + count, length);
    if (start >= blockStart && end <= blockStart + block.length) {
      return block.subarray(start - blockStart, end - blockStart);
    }
    const near = block.length > 0 && start >= blockStart && start <= blockStart + block.length + nearBytes;
    const wanted = Math.min(Math.max(end - start, near ? largeReadBytes : smallReadBytes), Math.max(0, length - start));
    if (wanted > storage.length) storage = Buffer.allocUnsafe(wanted);
    let bytesRead: number;
    try {
      bytesRead = readSync(descriptor, storage, 0, wanted, start);
    } catch (error) {
      throw unreadable(error);
    }
    block = storage.subarray(0, bytesRead);
    blockStart = start;
    return block.subarray(0, Math.min(end - start, bytesRead));
  };
  /** Where [start, start + count) begins in the block, after reading it when needed. */
  const at = (start: number, count: number): number => {
    if (start < blockStart || start + count > blockStart + block.length) {
      if (window(start, count).length < count) {
        // Callers check offsets against `length` first, as they would a Buffer's; this is a file that
        // shrank while it was read.
        throw new MediaError("unreadable-media", input, "the file changed while it was read; read it again.");
      }
    }
    return start - blockStart;
  };
  return {
    descriptor,
    length,
    byteAt: (offset) => (offset < length ? block[at(offset, 1)] : undefined),
    readUInt16BE: (offset) => block.readUInt16BE(at(offset, 2)),
    readUInt16LE: (offset) => block.readUInt16LE(at(offset, 2)),
    readUInt32BE: (offset) => block.readUInt32BE(at(offset, 4)),
    readUInt32LE: (offset) => block.readUInt32LE(at(offset, 4)),
    readInt32LE: (offset) => block.readInt32LE(at(offset, 4)),
    readBigUInt64BE: (offset) => block.readBigUInt64BE(at(offset, 8)),
    latin1: (start, end) => window(start, end - start).toString("latin1"),
    slice: (start, end) => Buffer.from(window(start, end - start)),
    lastIndexOf: (pattern, from) => {
      // Backwards one block at a time, overlapping by the pattern's length so a match across two
      // blocks is seen: a JPEG's end marker is normally in the last block read.
      let end = length;
      while (end > from) {
        const start = Math.max(from, end - largeReadBytes);
        const found = window(start, end - start).lastIndexOf(pattern);
        if (found >= 0) return start + found;
        if (start === from) return -1;
        end = start + pattern.length - 1;
      }
      return -1;
    },
  };
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

export function closeFileReader(reader: FileReader): void {
  closeSync(reader.descriptor);
}
