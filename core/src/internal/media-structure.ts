import { MediaError } from "../errors.js";
import type { ImageFormat } from "../media/detect-format.js";
import { formatCount } from "./format-quantity.js";
import type { ByteReader } from "./media-byte-reader.js";

/*
 * Cheap structural checks for estimates, which read headers and never decode pixels. Preparation
 * refuses a truncated or damaged file when the decoder runs out of data; an estimate must refuse the
 * same files without decoding, so it walks the container instead: every chunk, box, segment or block
 * the file declares must fit in the file, and the end marker must be there. Walking reads only the
 * few bytes of each header (a 3 MB PNG has a few hundred chunks), never the compressed data.
 * The result is how many pictures (animation frames) the file declares, where the walk sees it.
 */

export interface ImageStructure {
  /** Frames of an animation (GIF, animated PNG or WebP); 1 for a still picture; undefined when not counted. */
  frames: number | undefined;
}

export function checkImageStructure(bytes: ByteReader, format: ImageFormat, input: string): ImageStructure {
  switch (format) {
    case "png":
      return checkPng(bytes, input);
    case "jpeg":
      return checkJpeg(bytes, input);
    case "gif":
      return checkGif(bytes, input);
    case "webp":
      return checkWebp(bytes, input);
    case "avif":
    case "heic":
      return checkIsoBoxes(bytes, format, input);
    case "tiff":
      return checkTiff(bytes, input);
    case "bmp":
      return checkBmp(bytes, input);
    case "svg":
      // Text: sharp's header read parses the whole document, so a cut-off SVG fails there.
      return { frames: 1 };
  }
}

function truncated(input: string, format: string, what: string, needed: number, length: number): MediaError {
  return new MediaError(
    "unreadable-media",
    input,
    `the ${format.toUpperCase()} file is truncated: ${what} needs ${formatCount(needed)} bytes, the file has ${formatCount(length)}. Save or download it again.`,
  );
}

function damaged(input: string, format: string, what: string): MediaError {
  return new MediaError(
    "unreadable-media",
    input,
    `the ${format.toUpperCase()} file is damaged: ${what}. Save or download it again.`,
  );
}

/** PNG: signature, then chunks (length, type, data, CRC) from IHDR to IEND, each within the file. */
function checkPng(bytes: ByteReader, input: string): ImageStructure {
  let offset = 8;
  let index = 0;
  let sawImageData = false;
  let frames: number | undefined;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw truncated(input, "png", "the IEND chunk that ends every PNG", offset + 12, bytes.length);
    }
    const length = bytes.readUInt32BE(offset);
    const type = bytes.latin1(offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > bytes.length) {
      throw truncated(input, "png", `the ${type} chunk at byte ${formatCount(offset)}`, end, bytes.length);
    }
    if (index === 0 && (type !== "IHDR" || length !== 13)) {
      throw damaged(input, "png", "it does not start with an image header (IHDR)");
    }
    if (type === "IDAT") sawImageData = true;
    // An animated PNG's acTL chunk declares its frame count.
    if (type === "acTL" && length >= 8) frames = bytes.readUInt32BE(offset + 8);
    if (type === "IEND") {
      if (!sawImageData) throw damaged(input, "png", "it holds no image data (IDAT)");
      return { frames: frames ?? 1 };
    }
    offset = end;
    index += 1;
  }
}

/**
 * JPEG: SOI, then marker segments with their lengths up to the first scan (SOS); the end-of-image
 * marker (FF D9) must follow the scan data. Bytes after EOI are tolerated, as decoders do.
 */
function checkJpeg(bytes: ByteReader, input: string): ImageStructure {
  let offset = 2;
  let sawFrame = false;
  for (;;) {
    if (offset + 4 > bytes.length) {
      throw truncated(input, "jpeg", "the headers before the image data", offset + 4, bytes.length);
    }
    if (bytes.byteAt(offset) !== 0xff) {
      throw damaged(input, "jpeg", `byte ${formatCount(offset)} should start a marker segment`);
    }
    const marker = bytes.byteAt(offset + 1) ?? 0;
    if (marker === 0xff) {
      // Fill bytes before a marker.
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      // Markers without a length.
      offset += 2;
      continue;
    }
    if (marker === 0xd9) {
      throw damaged(input, "jpeg", "it ends before its image data");
    }
    const length = bytes.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) {
      throw truncated(
        input,
        "jpeg",
        `the marker segment at byte ${formatCount(offset)}`,
        Math.max(end, offset + 4),
        bytes.length,
      );
    }
    // Start-of-frame markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      sawFrame = true;
    }
    if (marker === 0xda) {
      if (!sawFrame) throw damaged(input, "jpeg", "its image data comes before any frame header");
      if (bytes.lastIndexOf(jpegEndOfImage, end) < 0) {
        throw damaged(input, "jpeg", "the end-of-image marker is missing, so the file was cut off");
      }
      return { frames: 1 };
    }
    offset = end;
  }
}

const jpegEndOfImage = Buffer.from([0xff, 0xd9]);

/** GIF: header, colour tables, then image descriptors and extensions in sub-blocks, up to the trailer. */
function checkGif(bytes: ByteReader, input: string): ImageStructure {
  const need = (end: number, what: string) => {
    if (end > bytes.length) throw truncated(input, "gif", what, end, bytes.length);
  };
  need(13, "the screen descriptor");
  const screenFlags = bytes.byteAt(10) ?? 0;
  let offset = 13 + ((screenFlags & 0x80) !== 0 ? 3 * 2 ** ((screenFlags & 0x07) + 1) : 0);
  let frames = 0;
  const skipSubBlocks = (what: string) => {
    for (;;) {
      need(offset + 1, what);
      const size = bytes.byteAt(offset) ?? 0;
      offset += 1 + size;
      if (size === 0) return;
    }
  };
  for (;;) {
    if (offset === bytes.length && frames > 0) {
      // Complete frames without the final trailer byte: decoders and browsers accept these.
      return { frames };
    }
    need(offset + 1, "the trailer that ends every GIF");
    const introducer = bytes.byteAt(offset);
    if (introducer === 0x3b) {
      if (frames === 0) throw damaged(input, "gif", "it holds no image");
      return { frames };
    }
    if (introducer === 0x21) {
      need(offset + 2, "an extension block");
      offset += 2;
      skipSubBlocks("an extension block");
    } else if (introducer === 0x2c) {
      need(offset + 10, `the descriptor of frame ${frames + 1}`);
      const flags = bytes.byteAt(offset + 9) ?? 0;
      offset += 10 + ((flags & 0x80) !== 0 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
      // LZW minimum code size, then the image data in sub-blocks.
      need(offset + 1, `the image data of frame ${frames + 1}`);
      offset += 1;
      skipSubBlocks(`the image data of frame ${frames + 1}`);
      frames += 1;
    } else {
      throw damaged(input, "gif", `byte ${formatCount(offset)} is neither an image, an extension nor the trailer`);
    }
  }
}

/** WebP: a RIFF container whose declared size fits the file, its chunks within it. */
function checkWebp(bytes: ByteReader, input: string): ImageStructure {
  if (bytes.length < 12) throw truncated(input, "webp", "the RIFF header", 12, bytes.length);
  const riffEnd = 8 + bytes.readUInt32LE(4);
  if (riffEnd > bytes.length) throw truncated(input, "webp", "the RIFF container", riffEnd, bytes.length);
  let offset = 12;
  let frames = 0;
  let sawImage = false;
  while (offset + 8 <= riffEnd) {
    const type = bytes.latin1(offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    // Chunks are padded to an even size.
    const end = offset + 8 + size + (size % 2);
    if (offset + 8 + size > riffEnd) {
      throw truncated(input, "webp", `the ${type.trim()} chunk at byte ${formatCount(offset)}`, end, bytes.length);
    }
    if (type === "VP8 " || type === "VP8L") sawImage = true;
    if (type === "ANMF") {
      frames += 1;
      sawImage = true;
    }
    offset = end;
  }
  if (!sawImage) throw damaged(input, "webp", "it holds no image data");
  return { frames: Math.max(1, frames) };
}

/** AVIF and HEIC: ISO boxes at the top level, each within the file, with the media data among them. */
function checkIsoBoxes(bytes: ByteReader, format: ImageFormat, input: string): ImageStructure {
  let offset = 0;
  let sawMeta = false;
  let sawData = false;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) throw truncated(input, format, "a box header", offset + 8, bytes.length);
    let size = bytes.readUInt32BE(offset);
    const type = bytes.latin1(offset + 4, offset + 8);
    if (size === 1) {
      if (offset + 16 > bytes.length) throw truncated(input, format, "a box header", offset + 16, bytes.length);
      size = Number(bytes.readBigUInt64BE(offset + 8));
    } else if (size === 0) {
      // The last box runs to the end of the file.
      size = bytes.length - offset;
    }
    if (size < 8) throw damaged(input, format, `the ${type} box at byte ${formatCount(offset)} has an impossible size`);
    if (offset + size > bytes.length) {
      throw truncated(input, format, `the ${type} box at byte ${formatCount(offset)}`, offset + size, bytes.length);
    }
    if (type === "meta") sawMeta = true;
    if (type === "mdat" || type === "idat") sawData = true;
    offset += size;
  }
  if (!sawMeta || !sawData) throw damaged(input, format, "its image description or image data is missing");
  return { frames: undefined };
}

/** TIFF: the first directory and the strips or tiles it points to lie within the file. */
function checkTiff(bytes: ByteReader, input: string): ImageStructure {
  if (bytes.length < 8) throw truncated(input, "tiff", "the header", 8, bytes.length);
  const little = bytes.byteAt(0) === 0x49;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const directory = u32(4);
  if (directory + 2 > bytes.length) throw truncated(input, "tiff", "the image directory", directory + 2, bytes.length);
  const entries = u16(directory);
  const directoryEnd = directory + 2 + entries * 12;
  if (directoryEnd > bytes.length) throw truncated(input, "tiff", "the image directory", directoryEnd, bytes.length);
  const values = new Map<number, number[]>();
  for (let entry = 0; entry < entries; entry += 1) {
    const at = directory + 2 + entry * 12;
    const tag = u16(at);
    // StripOffsets, StripByteCounts, TileOffsets, TileByteCounts.
    if (tag !== 273 && tag !== 279 && tag !== 324 && tag !== 325) continue;
    const type = u16(at + 2);
    const count = u32(at + 4);
    const width = type === 3 ? 2 : type === 4 ? 4 : 0;
    if (width === 0) throw damaged(input, "tiff", `tag ${tag} has an unexpected type ${type}`);
    const inline = count * width <= 4;
    const start = inline ? at + 8 : u32(at + 8);
    if (start + count * width > bytes.length) {
      throw truncated(input, "tiff", `the table of tag ${tag}`, start + count * width, bytes.length);
    }
    const list: number[] = [];
    for (let item = 0; item < count; item += 1) {
      list.push(width === 2 ? u16(start + item * 2) : u32(start + item * 4));
    }
    values.set(tag, list);
  }
  const offsets = values.get(273) ?? values.get(324);
  const counts = values.get(279) ?? values.get(325);
  if (offsets === undefined || counts === undefined || offsets.length !== counts.length) {
    throw damaged(input, "tiff", "its image directory does not say where the image data is");
  }
  let end = 0;
  offsets.forEach((start, item) => {
    end = Math.max(end, start + (counts[item] ?? 0));
  });
  if (end > bytes.length) throw truncated(input, "tiff", "the image data", end, bytes.length);
  return { frames: undefined };
}

/** BMP: for uncompressed pixels, the rows the header declares fit after the pixel data offset. */
function checkBmp(bytes: ByteReader, input: string): ImageStructure {
  if (bytes.length < 30) throw truncated(input, "bmp", "the header", 30, bytes.length);
  const dataOffset = bytes.readUInt32LE(10);
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize < 40) return { frames: 1 };
  const width = Math.abs(bytes.readInt32LE(18));
  const height = Math.abs(bytes.readInt32LE(22));
  const bitsPerPixel = bytes.readUInt16LE(28);
  const compression = bytes.length >= 34 ? bytes.readUInt32LE(30) : 0;
  // Uncompressed (BI_RGB) and bit-field pixels have a known size; RLE data can only be measured by decoding.
  if (compression === 0 || compression === 3) {
    const rowBytes = Math.ceil((width * bitsPerPixel) / 32) * 4;
    const end = dataOffset + rowBytes * height;
    if (end > bytes.length) throw truncated(input, "bmp", "the pixel rows its header declares", end, bytes.length);
  } else if (dataOffset >= bytes.length) {
    throw truncated(input, "bmp", "the pixel data", dataOffset + 1, bytes.length);
  }
  return { frames: 1 };
}
