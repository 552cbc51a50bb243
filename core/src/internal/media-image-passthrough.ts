import type { Metadata } from "sharp";
import { maximumImageAspectRatio, minimumImageSide } from "../media/image-shape.js";
import { dataUrlLength } from "./data-url.js";
import type { ByteReader } from "./media-byte-reader.js";

/*
 * When may an image go to the service byte for byte, as the user sent it? Only when the service
 * would take it as it is and scale it to the very size our estimate names, so tokens do not change
 * and the only work is reading the header. Every condition is read from the header (no pixel decoded).
 */

/** The reference keeps images within 8K and warns that larger ones risk timeouts. */
const passThroughLongSide = 7680;
const passThroughShortSide = 4320;

export interface PassThroughCandidate {
  /** The format detected from the bytes. */
  format: string;
  /** The header sharp read; undefined for formats decoded outside sharp. */
  header: Metadata | undefined;
  /** The file's bytes: only its length and its last bytes are read. */
  bytes: Pick<ByteReader, "length" | "slice">;
  base64MaxBytes: number;
  maxInputPixels: number;
}

/** The MIME type to send the original under, or undefined when it must be decoded and re-encoded. */
export function passThroughMimeType(candidate: PassThroughCandidate): "image/png" | "image/jpeg" | undefined {
  const { header } = candidate;
  if (header === undefined) return undefined;
  // The format sharp read must agree with the sniffed one: a mislabelled file is not trusted as is.
  const mimeType =
    candidate.format === "png" && header.format === "png"
      ? "image/png"
      : candidate.format === "jpeg" && header.format === "jpeg"
        ? "image/jpeg"
        : undefined;
  if (mimeType === undefined) return undefined;
  // Rotation is ours to apply: the service may not read EXIF orientation the way viewers do.
  if (header.orientation !== undefined && header.orientation !== 1) return undefined;
  // Privacy: EXIF (GPS, camera serials), XMP and IPTC stay on this machine; such images are re-encoded.
  if (header.exif !== undefined || header.xmp !== undefined || header.iptc !== undefined) return undefined;
  // 8-bit sRGB or grey only: 16-bit and CMYK files are commonly mis-converted by other decoders.
  if (header.depth !== "uchar" || (header.space !== "srgb" && header.space !== "b-w")) return undefined;
  // One picture only (an animated PNG would be ours to reduce to its first frame).
  if (header.pages !== undefined && header.pages !== 1) return undefined;
  const { width, height } = header;
  if (width === undefined || height === undefined) return undefined;
  if (width < minimumImageSide || height < minimumImageSide) return undefined;
  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  if (longSide / shortSide > maximumImageAspectRatio) return undefined;
  if (longSide > passThroughLongSide || shortSide > passThroughShortSide) return undefined;
  if (width * height > candidate.maxInputPixels) return undefined;
  if (dataUrlLength(mimeType, candidate.bytes.length) > candidate.base64MaxBytes) return undefined;
  // A header reads fine from a cut-off file; its end marker does not. Truncated files take the decoding
  // path, which refuses them with a clear message instead of sending half a picture.
  if (!endsComplete(mimeType, candidate.bytes)) return undefined;
  return mimeType;
}

/** PNG ends with an IEND chunk (length 0, type, CRC); JPEG with the EOI marker FF D9. */
const pngEnd = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const jpegEnd = Buffer.from([0xff, 0xd9]);

function endsComplete(mimeType: "image/png" | "image/jpeg", bytes: Pick<ByteReader, "length" | "slice">): boolean {
  const end = mimeType === "image/png" ? pngEnd : jpegEnd;
  return bytes.length > end.length && bytes.slice(bytes.length - end.length, bytes.length).equals(end);
}

/*
 * PNG chunks that carry text or EXIF: authoring software, comments, the screenshot tool's window
 * title, anything a person or a tool wrote there (tokens, paths, user names). They are not part of the
 * picture, and the service has no use for them: an image sent as it is goes without them. Chunks are
 * dropped whole, so every remaining chunk's CRC stays valid and nothing is decoded.
 */
const pngMetadataChunks = new Set(["tEXt", "zTXt", "iTXt", "eXIf"]);

/** The bytes to send for a kept original: PNG text and EXIF chunks dropped; JPEGs as they are. */
export function passThroughData(mimeType: "image/png" | "image/jpeg", bytes: Buffer): Buffer {
  return mimeType === "image/png" ? withoutPngMetadata(bytes) : bytes;
}

function withoutPngMetadata(bytes: Buffer): Buffer {
  const kept: Buffer[] = [bytes.subarray(0, 8)];
  let dropped = false;
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const end = offset + 12 + bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    if (pngMetadataChunks.has(type)) {
      dropped = true;
    } else {
      kept.push(bytes.subarray(offset, end));
    }
    offset = end;
  }
  // The structure was checked before a file gets here; an unexpected tail is kept rather than lost.
  if (offset < bytes.length) kept.push(bytes.subarray(offset));
  return dropped ? Buffer.concat(kept) : bytes;
}
