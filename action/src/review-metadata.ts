/*
 * The hidden part of the comment: a marker that identifies it, and JSON with a content hash and the
 * findings of every image, so that a re-run skips images whose bytes have not changed and carries
 * their findings forward. The JSON is base64 so that nothing in it can close the HTML comment.
 */
import type { Finding } from "./image-review.js";

export const commentMarker = "<!-- glance-review -->";
const metadataPattern = /<!-- glance-metadata:([A-Za-z0-9+/=]+) -->/;

export interface ImageMetadata {
  hash: string;
  kind: "ui" | "diagram";
  summary: string;
  findings: Finding[];
}

export interface ReviewMetadata {
  version: 1;
  /** Identifies the run that wrote the comment, to recognise our own comment after a failed create. */
  run: string;
  model: string;
  images: Record<string, ImageMetadata>;
}

export function encodeMetadata(metadata: ReviewMetadata): string {
  return `<!-- glance-metadata:${Buffer.from(JSON.stringify(metadata), "utf8").toString("base64")} -->`;
}

/** The metadata of a comment body, or undefined when it has none or it is unreadable (never trusted blindly). */
export function decodeMetadata(body: string): ReviewMetadata | undefined {
  const match = metadataPattern.exec(body);
  if (match === null) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(Buffer.from(match[1] ?? "", "base64").toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const candidate = value as Partial<ReviewMetadata>;
    if (candidate.version !== 1 || typeof candidate.images !== "object" || candidate.images === null) {
      return undefined;
    }
    const images: Record<string, ImageMetadata> = {};
    for (const [key, image] of Object.entries(candidate.images)) {
      if (isImageMetadata(image)) {
        images[key] = image;
      }
    }
    return {
      version: 1,
      run: typeof candidate.run === "string" ? candidate.run : "",
      model: typeof candidate.model === "string" ? candidate.model : "",
      images,
    };
  } catch {
    return undefined;
  }
}

function isImageMetadata(value: unknown): value is ImageMetadata {
  if (typeof value !== "object" || value === null) return false;
  const image = value as Partial<ImageMetadata>;
  return (
    typeof image.hash === "string" &&
    (image.kind === "ui" || image.kind === "diagram") &&
    typeof image.summary === "string" &&
    Array.isArray(image.findings) &&
    image.findings.every(
      (finding) =>
        typeof finding === "object" &&
        finding !== null &&
        ["low", "medium", "high"].includes(String((finding as Finding).severity)) &&
        typeof (finding as Finding).title === "string" &&
        typeof (finding as Finding).detail === "string",
    )
  );
}

/** Longest a finding's detail is kept in the metadata: enough to carry it forward readably. */
const metadataDetailCharacters = 400;

/**
 * The metadata within `limit` characters once encoded: details are shortened first, then images are
 * dropped from the end (they are simply reviewed again next time), so the comment always fits.
 */
export function fitMetadata(metadata: ReviewMetadata, limit: number): string {
  const images: Record<string, ImageMetadata> = {};
  for (const [key, image] of Object.entries(metadata.images)) {
    images[key] = {
      ...image,
      findings: image.findings.map((finding) =>
        finding.detail.length > metadataDetailCharacters
          ? { ...finding, detail: `${finding.detail.slice(0, metadataDetailCharacters - 1)}…` }
          : finding,
      ),
    };
  }
  const keys = Object.keys(images);
  for (;;) {
    const encoded = encodeMetadata({ ...metadata, images });
    const last = keys.pop();
    if (encoded.length <= limit || last === undefined) {
      return encoded;
    }
    delete images[last];
  }
}
