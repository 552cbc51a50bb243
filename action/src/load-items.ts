/*
 * Downloads the images to review and decides which need a model call: an image whose bytes (and the
 * review settings) hash to what the previous comment recorded is carried forward, not reviewed
 * again. "Larger changes first" needs the sizes, which only the download gives (GitHub's file list
 * counts no lines for binaries), so a window of candidates is downloaded - every image the previous
 * review knew plus up to three times max-images others, in status-then-path order - and the window is
 * then ordered by bytes changed before max-images cuts it. A 3,000-file pull request therefore does
 * not cost 6,000 API requests. Within that window, downloads also stop where they would spend more
 * API requests than the run may (github-request-budget.ts); what they left out is counted.
 */
import { createHash } from "node:crypto";
import { byPriority } from "./image-selection.js";
import type { ItemBytes, LoadedItem, ReviewItem, SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";
import { mapWithConcurrency } from "./run-with-concurrency.js";

export type { ItemBytes } from "./review-item.js";

export interface CarriedItem {
  item: ReviewItem;
  contentHash: string;
  /** Why the earlier findings are shown although this run could not check the image. */
  note: string | undefined;
}

export interface LoadedSelection {
  toReview: LoadedItem[];
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
    download: (item: ReviewItem) => Promise<ItemBytes>;
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
  const outcomes = await mapWithConcurrency(items, options.concurrency, async (item, index) => {
    if (wanted[index] !== "download") return undefined;
    try {
      const bytes = await options.download(item);
      // Hashed as each download lands, overlapping the downloads still in flight.
      return { bytes, hash: contentHash(bytes, options.settingsKey) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });

  const reviewable: LoadedItem[] = [];
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
    const { bytes, hash } = outcome;
    if (isLfsPointer(bytes.after) || (bytes.before !== undefined && isLfsPointer(bytes.before))) {
      result.skipped.push({ name: item.name, reason: "stored in Git LFS; not reviewed" });
      return;
    }
    if (bytes.before?.equals(bytes.after) === true) {
      result.skipped.push({ name: item.name, reason: "content unchanged (renamed or mode change only)" });
      return;
    }
    const hashed = {
      ...item,
      sizeChange: Math.abs(bytes.after.length - (bytes.before?.length ?? 0)),
      contentHash: hash,
    };
    if (earlier(item)?.hash === hashed.contentHash) {
      // Carried forward without its bytes: nothing of an unchanged image is needed again.
      result.carried.push({ item: hashed, contentHash: hashed.contentHash, note: undefined });
    } else {
      reviewable.push({ ...hashed, bytes });
    }
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
