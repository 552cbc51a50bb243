/*
 * The hidden part of the comment: a marker that identifies it, and JSON with a content hash and the
 * findings of every image, so that a re-run skips images whose bytes have not changed and carries
 * their findings forward. The JSON is base64 so that nothing in it can close the HTML comment.
 *
 * Anyone can write the marker and a metadata block (the marker is a hash of public names, and a
 * pull request's author can get their text quoted by a bot), so the metadata is signed: an HMAC over
 * the JSON, the marker and the pull request number, keyed by a secret the action has and the author
 * does not. The GITHUB_TOKEN is new on every run, so the key is derived from the Model Studio api-key
 * (the same on every run of the job) and the repository (so one key used in two repositories signs
 * differently in each). A run without an api-key cannot verify, and reads no earlier metadata at all;
 * after the api-key changes, earlier comments no longer verify and are left alone, and the next run
 * reviews every image again in a new comment.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
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

/** The secret our metadata is signed with; it never leaves this object. */
export class MetadataKey {
  readonly #secret: Buffer;

  private constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** The key for this repository, from the api-key; undefined without one (nothing can be verified). */
  static derive(apiKey: string | undefined, repository: string): MetadataKey | undefined {
    if (apiKey === undefined) {
      return undefined;
    }
    return new MetadataKey(createHmac("sha256", apiKey).update(`glance review metadata\n${repository}`).digest());
  }

  signature(text: string): string {
    return createHmac("sha256", this.#secret).update(text).digest("hex");
  }

  verifies(text: string, signature: string): boolean {
    const expected = Buffer.from(this.signature(text), "utf8");
    const actual = Buffer.from(signature, "utf8");
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

/** What one signature vouches for: metadata in the comment of this workflow job on this pull request. */
export interface MetadataSeal {
  key: MetadataKey;
  /** The marker of the workflow job, which the comment body starts with. */
  marker: string;
  pullRequestNumber: number;
}

const metadataOpening = "<!-- glance-metadata:";
const metadataPattern = /^([A-Za-z0-9+/=]+)\.([0-9a-f]{64}) -->/;

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
  /** 3: signed. Comments of version 2 carried no signature and are never read. */
  version: z.literal(3),
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

/** The metadata block, signed for this seal's pull request and workflow job. */
export function encodeMetadata(metadata: ReviewMetadata, seal: MetadataSeal): string {
  const payload = Buffer.from(JSON.stringify(metadata), "utf8").toString("base64");
  return `${metadataOpening}${payload}.${seal.key.signature(signedText(payload, seal))} -->`;
}

/**
 * The metadata of a comment body that starts with the seal's marker, the metadata block right after
 * it, signed with the seal's key for its pull request; undefined otherwise, or when it fails
 * validation. A marker or metadata anywhere else in a body (a quote of our comment) is never read.
 */
export function decodeMetadata(body: string, seal: MetadataSeal): ReviewMetadata | undefined {
  const opening = `${seal.marker}\n${metadataOpening}`;
  if (!body.startsWith(opening)) {
    return undefined;
  }
  const match = metadataPattern.exec(body.slice(opening.length));
  const payload = match?.[1];
  const signature = match?.[2];
  if (payload === undefined || signature === undefined || !seal.key.verifies(signedText(payload, seal), signature)) {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, "base64").toString("utf8"));
    const parsed = reviewMetadataSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The signature covers the pull request and the job too: a block copied from elsewhere does not verify. */
function signedText(payload: string, seal: MetadataSeal): string {
  return `${seal.marker}\n${seal.pullRequestNumber}\n${payload}`;
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
export function fitMetadata(metadata: ReviewMetadata, seal: MetadataSeal, limit: number): string {
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
    const encoded = encodeMetadata({ ...metadata, images }, seal);
    const last = keys.pop();
    if (encoded.length <= limit || last === undefined) {
      return encoded;
    }
    delete images[last];
  }
}
