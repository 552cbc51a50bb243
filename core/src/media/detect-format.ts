import { MediaError } from "../errors.js";

export type ImageFormat = "png" | "jpeg" | "gif" | "webp" | "avif" | "heic" | "tiff" | "bmp" | "svg";
export type VideoFormat = "mp4" | "mov" | "mkv" | "webm" | "avi" | "flv" | "wmv";

export type DetectedFormat =
  | { kind: "image"; format: ImageFormat; mimeType: string }
  | { kind: "video"; format: VideoFormat; mimeType: string };

export const supportedImageFormats: readonly ImageFormat[] = [
  "png",
  "jpeg",
  "gif",
  "webp",
  "avif",
  "heic",
  "tiff",
  "bmp",
  "svg",
];
export const supportedVideoFormats: readonly VideoFormat[] = ["mp4", "mov", "mkv", "webm", "avi", "flv", "wmv"];

/** How many leading bytes detection needs: enough for an SVG's XML prologue and comments. */
export const formatSniffBytes = 4096;

const imageMimeTypes: Record<ImageFormat, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  heic: "image/heic",
  tiff: "image/tiff",
  bmp: "image/bmp",
  svg: "image/svg+xml",
};

const videoMimeTypes: Record<VideoFormat, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  webm: "video/webm",
  avi: "video/x-msvideo",
  flv: "video/x-flv",
  wmv: "video/x-ms-wmv",
};

/** Formats we recognise only to say what a refused file is. */
const knownUnsupported: readonly { name: string; matches: (bytes: Uint8Array) => boolean }[] = [
  // Lists that make ffmpeg open other files or URLs: never read, whatever they point at.
  {
    name: "an HLS playlist (M3U8), which points at other files",
    matches: (bytes) => startsWithText(withoutByteOrderMark(bytes), 0, "#EXTM3U"),
  },
  {
    name: "an ffmpeg concat list, which points at other files",
    matches: (bytes) => startsWithText(withoutByteOrderMark(bytes), 0, "ffconcat version"),
  },
  { name: "a PDF document", matches: (bytes) => startsWithText(bytes, 0, "%PDF-") },
  { name: "a ZIP archive (or an office document)", matches: (bytes) => startsWithBytes(bytes, 0, [0x50, 0x4b, 3, 4]) },
  { name: "a gzip archive", matches: (bytes) => startsWithBytes(bytes, 0, [0x1f, 0x8b]) },
  { name: "a JPEG XL image", matches: (bytes) => startsWithBytes(bytes, 0, [0xff, 0x0a]) },
  { name: "a JPEG 2000 image", matches: (bytes) => startsWithBytes(bytes, 4, [0x6a, 0x50, 0x20, 0x20]) },
  { name: "an ICO icon", matches: (bytes) => startsWithBytes(bytes, 0, [0, 0, 1, 0]) },
  { name: "an MP3 audio file", matches: (bytes) => startsWithText(bytes, 0, "ID3") },
  {
    name: "a WAV audio file",
    matches: (bytes) => startsWithText(bytes, 0, "RIFF") && startsWithText(bytes, 8, "WAVE"),
  },
  { name: "an Ogg media file", matches: (bytes) => startsWithText(bytes, 0, "OggS") },
  {
    name: "an MPEG transport stream",
    matches: (bytes) => bytes.length > 188 && bytes[0] === 0x47 && bytes[188] === 0x47,
  },
  { name: "an executable program", matches: (bytes) => startsWithBytes(bytes, 0, [0x7f, 0x45, 0x4c, 0x46]) },
];

/**
 * What a file is, judged from its first bytes only (at least `formatSniffBytes` of them when the file
 * is that long). File names lie: a screenshot saved as .png may be a JPEG, and a text file may be
 * named .png, so the name is used only in messages.
 */
export function detectFormat(bytes: Uint8Array, input = "file"): DetectedFormat {
  if (bytes.length === 0) {
    throw new MediaError(
      "unreadable-media",
      input,
      "the file is empty. Check that it was saved or downloaded completely.",
    );
  }
  const image = detectImage(bytes);
  if (image !== undefined) {
    return { kind: "image", format: image, mimeType: imageMimeTypes[image] };
  }
  const video = detectVideo(bytes);
  if (video !== undefined) {
    return { kind: "video", format: video, mimeType: videoMimeTypes[video] };
  }
  const supported = `Supported images: ${supportedImageFormats.join(", ")}; videos: ${supportedVideoFormats.join(", ")}.`;
  const known = knownUnsupported.find((candidate) => candidate.matches(bytes));
  if (known !== undefined) {
    throw new MediaError(
      "unsupported-media",
      input,
      `the file is ${known.name}, not a supported image or video. ${supported}`,
    );
  }
  if (looksLikeText(bytes)) {
    // A text file under an image's name is a broken or mislabelled file rather than a format we lack.
    throw new MediaError(
      "unreadable-media",
      input,
      `the file holds text, not an image or video (its name or the upload may be wrong). ${supported}`,
    );
  }
  if (bytes.length < 12) {
    throw new MediaError(
      "unreadable-media",
      input,
      `the file is only ${bytes.length} bytes long: too short to be an image or video. It may be truncated.`,
    );
  }
  throw new MediaError("unsupported-media", input, `the file is in a format that was not recognised. ${supported}`);
}

function detectImage(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWithBytes(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return "png";
  }
  if (startsWithBytes(bytes, 0, [0xff, 0xd8, 0xff])) {
    return "jpeg";
  }
  if (startsWithText(bytes, 0, "GIF87a") || startsWithText(bytes, 0, "GIF89a")) {
    return "gif";
  }
  if (startsWithText(bytes, 0, "RIFF") && startsWithText(bytes, 8, "WEBP")) {
    return "webp";
  }
  if (startsWithBytes(bytes, 0, [0x49, 0x49, 0x2a, 0x00]) || startsWithBytes(bytes, 0, [0x4d, 0x4d, 0x00, 0x2a])) {
    return "tiff";
  }
  if (startsWithText(bytes, 0, "BM") && bytes.length >= 18) {
    // "BM" alone is too weak: require a known DIB header size as well.
    const headerSize = readUint32LittleEndian(bytes, 14);
    if ([12, 40, 52, 56, 64, 108, 124].includes(headerSize)) {
      return "bmp";
    }
  }
  if (startsWithText(bytes, 4, "ftyp")) {
    const brands = isoBrands(bytes);
    if (brands.includes("avif") || brands.includes("avis")) {
      return "avif";
    }
    if (
      brands.some((brand) =>
        ["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1"].includes(brand),
      )
    ) {
      return "heic";
    }
  }
  if (looksLikeSvg(bytes)) {
    return "svg";
  }
  return undefined;
}

function detectVideo(bytes: Uint8Array): VideoFormat | undefined {
  if (startsWithText(bytes, 4, "ftyp")) {
    const brands = isoBrands(bytes);
    if (brands[0] === "qt") {
      return "mov";
    }
    // Audio-only MPEG-4 files share the box layout; they are not videos.
    if (brands[0] === "M4A" || brands[0] === "M4B" || brands[0] === "M4P") {
      return undefined;
    }
    return "mp4";
  }
  // Old QuickTime files may begin with any of these atoms instead of ftyp.
  if (["moov", "mdat", "wide", "free", "skip", "pnot"].some((atom) => startsWithText(bytes, 4, atom))) {
    return "mov";
  }
  if (startsWithBytes(bytes, 0, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: the DocType element says which flavour of Matroska this is.
    const head = latin1(bytes, 0, Math.min(bytes.length, 64));
    return head.includes("webm") ? "webm" : "mkv";
  }
  if (startsWithText(bytes, 0, "RIFF") && startsWithText(bytes, 8, "AVI ")) {
    return "avi";
  }
  if (startsWithText(bytes, 0, "FLV") && bytes[3] === 1) {
    return "flv";
  }
  if (
    startsWithBytes(
      bytes,
      0,
      [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c],
    )
  ) {
    return "wmv";
  }
  return undefined;
}

/** The major brand and compatible brands of an ISO base media file (MP4, MOV, HEIF, AVIF). */
function isoBrands(bytes: Uint8Array): string[] {
  const boxSize = Math.min(readUint32BigEndian(bytes, 0), bytes.length);
  const brands = [latin1(bytes, 8, 12).trim()];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) {
    brands.push(latin1(bytes, offset, offset + 4).trim());
  }
  return brands;
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  let text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, formatSniffBytes));
  text = text.replace(/^\uFEFF/, "").trimStart();
  // Skip the XML declaration, comments and a doctype, which may all come before the root element.
  for (;;) {
    const before = text;
    text = text
      .replace(/^<\?xml[\s\S]*?\?>/, "")
      .replace(/^<!--[\s\S]*?-->/, "")
      // A doctype may carry an internal subset in brackets (Illustrator declares its namespaces as entities there).
      .replace(/^<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/i, "")
      .trimStart();
    if (text === before) {
      break;
    }
  }
  return /^<svg[\s>]/i.test(text);
}

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, formatSniffBytes);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) {
      return false;
    }
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) {
      control += 1;
    }
  }
  if (control > sample.length / 100) {
    return false;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 4)));
    return true;
  } catch {
    return false;
  }
}

function withoutByteOrderMark(bytes: Uint8Array): Uint8Array {
  return startsWithBytes(bytes, 0, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes;
}

function startsWithBytes(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  if (bytes.length < offset + expected.length) {
    return false;
  }
  return expected.every((value, index) => bytes[offset + index] === value);
}

function startsWithText(bytes: Uint8Array, offset: number, expected: string): boolean {
  return bytes.length >= offset + expected.length && latin1(bytes, offset, offset + expected.length) === expected;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

function readUint32LittleEndian(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset + 3] ?? 0) * 2 ** 24 +
    ((bytes[offset + 2] ?? 0) << 16) +
    ((bytes[offset + 1] ?? 0) << 8) +
    (bytes[offset] ?? 0)
  );
}

function readUint32BigEndian(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] ?? 0) * 2 ** 24 +
    ((bytes[offset + 1] ?? 0) << 16) +
    ((bytes[offset + 2] ?? 0) << 8) +
    (bytes[offset + 3] ?? 0)
  );
}
