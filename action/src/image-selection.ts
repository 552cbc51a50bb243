/*
 * Which changed files are images to review, in the order they deserve the budget: modified images
 * first (a before/after pair says the most), then added and renamed ones, each group with larger
 * changes first (by bytes: GitHub counts no changed lines for binaries), then by path so the order
 * is stable.
 */
import picomatch from "picomatch";
import type { ChangedFile } from "./changed-files.js";
import { classifyByPath } from "./image-classification.js";
import type { PullRequestContext } from "./pull-request-context.js";
import type { ReviewItem } from "./review-item.js";

export interface ImageSelection {
  items: ReviewItem[];
  /** Removed images: listed in the comment, never reviewed. */
  removed: string[];
}

export function selectImages(
  files: readonly ChangedFile[],
  include: readonly string[],
  exclude: readonly string[],
  pullRequest: PullRequestContext,
  serverUrl: string,
): ImageSelection {
  const options = { dot: true, nocase: true };
  const included = picomatch([...include], options);
  const excluded = exclude.length === 0 ? () => false : picomatch([...exclude], options);
  const matches = (path: string) => included(path) && !excluded(path);
  const blob = (sha: string, path: string) =>
    `${serverUrl}/${pullRequest.owner}/${pullRequest.repo}/blob/${sha}/${path.split("/").map(encodeURIComponent).join("/")}`;

  const items: ReviewItem[] = [];
  const removed: string[] = [];
  for (const file of files) {
    if (!matches(file.path)) {
      continue;
    }
    if (file.status === "removed") {
      removed.push(file.path);
      continue;
    }
    if (file.status === "unchanged") {
      continue;
    }
    const renamed = file.status === "renamed" && file.previousPath !== undefined;
    const paired = file.status === "modified" || file.status === "changed" || renamed;
    const basePath = renamed ? file.previousPath : file.path;
    items.push({
      key: `file:${file.path}`,
      source: "file",
      name: file.path,
      status: renamed ? "renamed" : paired ? "modified" : "added",
      previousPath: renamed ? file.previousPath : undefined,
      sizeChange: 0,
      kindHint: classifyByPath(file.path),
      beforeLink: paired && basePath !== undefined ? blob(pullRequest.mergeBaseSha, basePath) : undefined,
      afterLink: blob(pullRequest.headSha, file.path),
    });
  }
  return { items: items.sort(byPriority), removed };
}

const statusRank: Record<ReviewItem["status"], number> = { modified: 0, added: 1, renamed: 1, body: 2 };

export function byPriority(first: ReviewItem, second: ReviewItem): number {
  if (first.status === "body" && second.status === "body") {
    // Description images keep the order the author wrote them in (the sort is stable).
    return 0;
  }
  return (
    statusRank[first.status] - statusRank[second.status] ||
    second.sizeChange - first.sizeChange ||
    first.name.localeCompare(second.name)
  );
}
