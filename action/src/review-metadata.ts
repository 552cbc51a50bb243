/*
 * The hidden part of the comment: a marker that identifies it, and JSON with a content hash and the
 * findings of every image, so that a re-run skips images whose bytes have not changed and carries
 * their findings forward. The JSON is base64 so that nothing in it can close the HTML comment.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Finding } from "./image-review.js";

/**
 * The marker names the workflow and job that own the comment (hashed: names can hold anything), so
 * two workflows that both run the action each keep their own comment instead of overwriting the other.
 */
export function commentMarkerOf(workflow: string, job: string): string {
  const key = createHash("sha256").update(`${workflow}\n${job}`).digest("hex").slice(0, 16);
  return `<!-- glance-review:${key} -->`;
}

const metadataPattern = /<!-- glance-metadata:([A-Za-z0-9+/=]+) -->/;

const pixel = z.number().int().min(0).max(1_000_000);
/** Whatever was read back is text anyone with write access could have edited: every field is bounded. */
const findingMetadataSchema = z.object({
  severity: z.enum(["low", "medium", "high"]),
  title: z.string().max(500),
  detail: z.string().max(2_000),
  image: z.enum(["before", "after"]).optional(),
  box: z.object({ x1: pixel, y1: pixel, x2: pixel, y2: pixel }).optional(),
});

const imageMetadataSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  kind: z.enum(["ui", "diagram"]),
  summary: z.string().max(2_000),
  findings: z.array(findingMetadataSchema).max(100),
});

const reviewMetadataSchema = z.object({
  version: z.literal(2),
  /** Identifies the run that wrote the comment, to recognise our own comment after a failed create. */
  run: z.string().max(200),
  model: z.string().max(200),
  /** The login that created the comment: a comment by anyone else is never read as ours. */
  author: z.string().max(100),
  /** The head commit this review is of: an older run never overwrites a newer head's review. */
  head: z.string().regex(/^[0-9a-f]{40}$/),
  images: z.record(z.string().max(2_000), imageMetadataSchema).refine((images) => Object.keys(images).length <= 3_000),
});

export type ImageMetadata = z.infer<typeof imageMetadataSchema> & { findings: Finding[] };
export type ReviewMetadata = z.infer<typeof reviewMetadataSchema>;

export function encodeMetadata(metadata: ReviewMetadata): string {
  return `<!-- glance-metadata:${Buffer.from(JSON.stringify(metadata), "utf8").toString("base64")} -->`;
}

/** The metadata of a comment body, or undefined when it has none or it fails validation (never trusted blindly). */
export function decodeMetadata(body: string): ReviewMetadata | undefined {
  const match = metadataPattern.exec(body);
  if (match === null) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(Buffer.from(match[1] ?? "", "base64").toString("utf8"));
    const parsed = reviewMetadataSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function shorten(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Longest a finding's detail is kept in the metadata: enough to carry it forward readably. */
const metadataDetailCharacters = 400;

/**
 * The metadata within `limit` characters once encoded: details are shortened first, then images are
 * dropped from the end (they are simply reviewed again next time), so the comment always fits.
 */
export function fitMetadata(metadata: ReviewMetadata, limit: number): string {
  const images: ReviewMetadata["images"] = {};
  for (const [key, image] of Object.entries(metadata.images)) {
    // Within the bounds decodeMetadata checks, or the next run would throw the whole record away.
    images[key] = {
      ...image,
      summary: shorten(image.summary, 1_000),
      findings: image.findings.slice(0, 100).map((finding) => ({
        ...finding,
        title: shorten(finding.title, 300),
        detail: shorten(finding.detail, metadataDetailCharacters),
      })),
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
