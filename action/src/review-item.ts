/* One image to review: a changed file (alone or as a before/after pair) or an image of the PR description. */
export type ImageKind = "ui" | "diagram";

export interface ReviewItem {
  /** Stable across runs, the key of the hidden metadata: "file:<path>" or "body:<url>". */
  key: string;
  source: "file" | "body";
  /** What the comment calls it: the head path, or the description image's alt text or URL. */
  name: string;
  status: "added" | "modified" | "renamed" | "body";
  /** The base path of a renamed file. */
  previousPath: string | undefined;
  /**
   * Bytes changed: |head size - base size| (the head size for an added image). GitHub counts no
   * changed lines for binary files, so this is what "larger changes first" orders by. 0 until the
   * item is located (load-items.ts: sizes from the contents API, before any download).
   */
  sizeChange: number;
  /** Decided from the path; undefined lets the model decide. */
  kindHint: ImageKind | undefined;
  /** Links for the comment (blob URLs at the base and head commits, or the description image). */
  beforeLink: string | undefined;
  afterLink: string | undefined;
}

/** A downloaded image, identified by its content: unchanged content is not reviewed again. */
export interface HashedItem extends ReviewItem {
  /** sha256 of the review settings and the base and head bytes. */
  contentHash: string;
}

/** The base and head bytes as downloaded (no base for an added image or a description image). */
export interface ItemBytes {
  before: Buffer | undefined;
  after: Buffer;
}

export interface LoadedItem extends HashedItem {
  /**
   * The downloaded bytes, until planning has taken what the request needs; then undefined, so a run
   * of many large screenshots does not keep every original in memory to the end.
   */
  bytes: ItemBytes | undefined;
}

export interface SkippedItem {
  name: string;
  reason: string;
}
