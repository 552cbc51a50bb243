/*
 * Downloads the images to review, in priority order, and decides which need a model call: an image
 * whose bytes hash to what the previous comment recorded is carried forward, not reviewed again.
 * Only images that can still be reviewed (under max-images) or that the previous run knew are
 * downloaded, so a 3,000-file pull request does not cost 6,000 API requests.
 */
import { createHash } from "node:crypto";
import type { LoadedItem, ReviewItem, SkippedItem } from "./review-item.js";
import type { ReviewMetadata } from "./review-metadata.js";
import { mapWithConcurrency } from "./run-with-concurrency.js";

export interface ItemBytes {
  before: Buffer | undefined;
  after: Buffer;
}

export interface LoadedSelection {
  toReview: LoadedItem[];
  carried: LoadedItem[];
  skipped: SkippedItem[];
}

export function contentHash(bytes: ItemBytes): string {
  const part = (buffer: Buffer | undefined) =>
    buffer === undefined ? "-" : createHash("sha256").update(buffer).digest("hex");
  return createHash("sha256")
    .update(`${part(bytes.before)}:${part(bytes.after)}`)
    .digest("hex");
}

export async function loadItems(
  items: readonly ReviewItem[],
  options: {
    maxImages: number;
    concurrency: number;
    previous: ReviewMetadata | undefined;
    download: (item: ReviewItem) => Promise<ItemBytes>;
  },
): Promise<LoadedSelection> {
  const result: LoadedSelection = { toReview: [], carried: [], skipped: [] };
  const known = (item: ReviewItem) => options.previous?.images[item.key] !== undefined;
  for (let start = 0; start < items.length; start += options.concurrency) {
    const chunk = items.slice(start, start + options.concurrency);
    let room = options.maxImages - result.toReview.length;
    const wanted = chunk.map((item) => {
      if (known(item)) return true;
      room -= 1;
      return room >= 0;
    });
    const loaded = await mapWithConcurrency(chunk, options.concurrency, async (item, index) => {
      if (wanted[index] !== true) return undefined;
      try {
        return { bytes: await options.download(item) };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    });
    chunk.forEach((item, index) => {
      const outcome = loaded[index];
      if (outcome === undefined) {
        result.skipped.push({
          name: item.name,
          reason: `max-images: only the first ${options.maxImages} images are reviewed`,
        });
        return;
      }
      if ("error" in outcome) {
        result.skipped.push({ name: item.name, reason: `could not be downloaded: ${outcome.error}` });
        return;
      }
      const { bytes } = outcome;
      if (bytes.before?.equals(bytes.after) === true) {
        result.skipped.push({ name: item.name, reason: "content unchanged (renamed or mode change only)" });
        return;
      }
      const loadedItem: LoadedItem = {
        ...item,
        before: bytes.before,
        after: bytes.after,
        contentHash: contentHash(bytes),
      };
      if (options.previous?.images[item.key]?.hash === loadedItem.contentHash) {
        result.carried.push(loadedItem);
      } else if (result.toReview.length < options.maxImages) {
        result.toReview.push(loadedItem);
      } else {
        result.skipped.push({
          name: item.name,
          reason: `max-images: only the first ${options.maxImages} images are reviewed`,
        });
      }
    });
  }
  return result;
}
