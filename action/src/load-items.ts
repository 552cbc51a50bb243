/*
 * Decides, before any image is downloaded whole, which images the run reviews and in what order, and
 * which need no model call: an image whose bytes (and the review settings) hash to what the previous
 * comment recorded is carried forward, not reviewed again. "Larger changes first" needs the sizes,
 * which the contents API gives with each file's blob sha (GitHub's file list counts no lines for
 * binaries), so a window of candidates is located - every image the previous review knew plus up to
 * three times max-images others, in status-then-path order - and the window is then ordered by bytes
 * changed before max-images cuts it. A 3,000-file pull request therefore does not cost 6,000 API
 * requests. Within that window, lookups also stop where they would spend more API requests than the
 * run may (github-request-budget.ts); what they left out is counted.
 *
 * Only the images the previous review knew are downloaded here (their hash decides whether they are
 * carried); the others cannot be carried, so their bytes are left where they are and downloaded one
 * item at a time as the reviews stream (`loadBytes`), and a run never holds every image at once.
 * Equal blob shas on both sides mean equal bytes: a rename or mode change, not reviewed.
 */
import { createHash } from "node:crypto";
import pMap from "p-map";
import { byPriority } from "./image-selection.js";
import type { ItemLocation } from "./image-sources.js";
import type { ItemBytes, LoadedItem, ReviewItem, SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";

export type { ItemBytes } from "./review-item.js";

export interface CarriedItem {
  item: ReviewItem;
  contentHash: string;
  /** Why the earlier findings are shown although this run could not check the image. */
  note: string | undefined;
}

/** An image to review, located but perhaps not downloaded yet: `loadBytes` makes it a LoadedItem. */
export interface PendingItem extends ReviewItem {
  location: ItemLocation;
  /** Known when the bytes were already hashed (the images the previous review knew). */
  contentHash: string | undefined;
}

export interface LoadedSelection {
  /** In review order, cut to max-images. */
  toReview: PendingItem[];
  carried: CarriedItem[];
  skipped: SkippedItem[];
  /** API requests the window's downloads needed, and the items left out for want of requests. */
  requests: { needed: number; overBudget: number };
}

export interface RequestBudget {
  /** API requests the downloads may spend. */
  allowance: number;
  /** API requests one item's download costs. */
  costOf(item: ReviewItem): number;
}

/** sha256 over the review settings and the base and head bytes: either changing means a new review. */
export function contentHash(bytes: ItemBytes, settingsKey: string): string {
  const part = (buffer: Buffer | undefined) =>
    buffer === undefined ? "-" : createHash("sha256").update(buffer).digest("hex");
  return createHash("sha256")
    .update(`${settingsKey}\n${part(bytes.before)}:${part(bytes.after)}`)
    .digest("hex");
}

const lfsPointerStart = "version https://git-lfs.github.com/spec/";

/** A Git LFS pointer: the repository holds this small text file, the image itself lives in LFS storage. */
export function isLfsPointer(bytes: Buffer): boolean {
  return bytes.length < 1024 && bytes.subarray(0, lfsPointerStart.length).toString("latin1") === lfsPointerStart;
}

export async function loadItems(
  items: readonly ReviewItem[],
  options: {
    maxImages: number;
    concurrency: number;
    previous: ReviewMetadata | undefined;
    /** Model, prompt, language and resolution: part of every content hash. */
    settingsKey: string;
    locate: (item: ReviewItem) => Promise<ItemLocation>;
    fetch: (location: ItemLocation) => Promise<ItemBytes>;
    /** Undefined when GitHub sets no limit. */
    requestBudget?: RequestBudget | undefined;
  },
): Promise<LoadedSelection> {
  const result: LoadedSelection = { toReview: [], carried: [], skipped: [], requests: { needed: 0, overBudget: 0 } };
  const maxImagesReason = `max-images: only the first ${options.maxImages} images are reviewed`;
  const budgetReason = "not downloaded: the run's GitHub API requests ran short (see the note at the top)";
  const earlier = (item: ReviewItem) => options.previous?.images[item.key];
  let window = Math.max(options.maxImages * 3, options.maxImages + 10);
  let spent = 0;
  const wanted = items.map((item): "download" | "window" | "budget" => {
    if (earlier(item) === undefined) {
      window -= 1;
      if (window < 0) return "window";
    }
    const cost = options.requestBudget?.costOf(item) ?? 0;
    result.requests.needed += cost;
    if (options.requestBudget !== undefined && spent + cost > options.requestBudget.allowance) {
      result.requests.overBudget += 1;
      return "budget";
    }
    spent += cost;
    return "download";
  });
  // Bytes downloaded here and kept for the review, up to this much; beyond it they are downloaded again.
  let keepable = keptBytesLimit;
  const outcomes = await pMap(
    items,
    async (item, index) => {
      if (wanted[index] !== "download") return undefined;
      try {
        const location = await options.locate(item);
        if (earlier(item) === undefined) {
          return { location, bytes: undefined, hash: undefined };
        }
        const bytes = await options.fetch(location);
        return { location, bytes, hash: contentHash(bytes, options.settingsKey) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    },
    { concurrency: options.concurrency },
  );

  const reviewable: PendingItem[] = [];
  items.forEach((item, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) {
      const known = earlier(item);
      if (wanted[index] === "budget" && known !== undefined) {
        // Not fetched says nothing about the image: keep what the last review found.
        result.carried.push({
          item,
          contentHash: known.hash,
          note: "not downloaded this run (the GitHub API requests ran short); the findings are from the last review",
        });
        return;
      }
      result.skipped.push({ name: item.name, reason: wanted[index] === "budget" ? budgetReason : maxImagesReason });
      return;
    }
    if ("error" in outcome) {
      const known = earlier(item);
      if (known !== undefined) {
        // A download fault says nothing about the image: keep what the last review found.
        result.carried.push({
          item,
          contentHash: known.hash,
          note: `could not be downloaded this run (${outcome.error}); the findings are from the last review`,
        });
      } else {
        result.skipped.push({ name: item.name, reason: `could not be downloaded: ${outcome.error}` });
      }
      return;
    }
    const { location, bytes, hash } = outcome;
    const skip = skipReasonOf(location, bytes);
    if (skip !== undefined) {
      result.skipped.push({ name: item.name, reason: skip });
      return;
    }
    const sized = { ...item, sizeChange: Math.abs(location.after.size - (location.before?.size ?? 0)) };
    if (hash !== undefined && earlier(item)?.hash === hash) {
      // Carried forward without its bytes: nothing of an unchanged image is needed again.
      result.carried.push({ item: sized, contentHash: hash, note: undefined });
      return;
    }
    const size = bytes === undefined ? 0 : bytes.after.length + (bytes.before?.length ?? 0);
    const keep = bytes !== undefined && size <= keepable;
    if (keep) keepable -= size;
    reviewable.push({
      ...sized,
      location: keep ? inHand(bytes) : location,
      contentHash: hash,
    });
  });
  for (const item of reviewable.sort(byPriority)) {
    if (result.toReview.length < options.maxImages) {
      result.toReview.push(item);
    } else {
      result.skipped.push({ name: item.name, reason: maxImagesReason });
    }
  }
  return result;
}

/** What the previous review's images downloaded here may keep in memory until their turn comes. */
const keptBytesLimit = 32 * 1024 * 1024;

function inHand(bytes: ItemBytes): ItemLocation {
  const side = (buffer: Buffer) => ({ size: buffer.length, sha: undefined, version: undefined, bytes: buffer });
  return { before: bytes.before === undefined ? undefined : side(bytes.before), after: side(bytes.after) };
}

/** Why an item is not reviewed, from what is known of it so far (sizes, shas, bytes in hand). */
function skipReasonOf(location: ItemLocation, bytes: ItemBytes | undefined): string | undefined {
  const before = bytes?.before ?? location.before?.bytes;
  const after = bytes?.after ?? location.after.bytes;
  // A pointer is under 1 KB, so the contents API always embeds it: its bytes are in hand here.
  if ((after !== undefined && isLfsPointer(after)) || (before !== undefined && isLfsPointer(before))) {
    return lfsReason;
  }
  const sameBlob = location.before?.sha !== undefined && location.before.sha === location.after.sha;
  if (sameBlob || (before !== undefined && after !== undefined && before.equals(after))) {
    return "content unchanged (renamed or mode change only)";
  }
  return undefined;
}

const lfsReason = "stored in Git LFS; not reviewed";

/**
 * An item's bytes and content hash, downloaded now if they were not in hand; or why it cannot be
 * reviewed (a download fault, or bytes that turned out to be an LFS pointer).
 */
export async function loadBytes(
  item: PendingItem,
  fetch: (location: ItemLocation) => Promise<ItemBytes>,
  settingsKey: string,
): Promise<LoadedItem | { skipped: string }> {
  const { location, contentHash: knownHash, ...rest } = item;
  let bytes: ItemBytes;
  try {
    bytes = await fetch(location);
  } catch (error) {
    return { skipped: `could not be downloaded: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (isLfsPointer(bytes.after) || (bytes.before !== undefined && isLfsPointer(bytes.before))) {
    return { skipped: lfsReason };
  }
  return { ...rest, contentHash: knownHash ?? contentHash(bytes, settingsKey), bytes };
}
