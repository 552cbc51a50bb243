/*
 * Where each image's bytes come from: a changed file through the REST API at the head commit (and,
 * unless it was added, at the merge base for "before"); a description image from the URL GitHub
 * rendered for it (a signed one for private attachments), with the token only for GitHub's own
 * origins (see body-images.ts).
 */
import { fetchFile } from "./blob-fetching.js";
import { bodyItemOf, downloadBodyImage, findBodyImages, resolveDownloadUrls } from "./body-images.js";
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import type { ItemBytes, ReviewItem, SkippedItem } from "./review-item.js";
import type { RunEvent } from "./run-event.js";

export interface BodyImage {
  item: ReviewItem;
  downloadUrl: string;
}

/** The description's images as review items, each with the URL to download it from, and those that cannot be. */
export function bodyImageItems(pullRequest: PullRequestContext): { items: BodyImage[]; skipped: SkippedItem[] } {
  const references = findBodyImages(pullRequest.body);
  const urls = resolveDownloadUrls(references, pullRequest.bodyHtml);
  const items: BodyImage[] = [];
  const skipped: SkippedItem[] = [];
  references.forEach((reference, index) => {
    const outcome = bodyItemOf(reference);
    if ("skipped" in outcome) {
      skipped.push(outcome.skipped);
    } else {
      items.push({ item: outcome.item, downloadUrl: urls[index] ?? outcome.item.afterLink ?? reference.url });
    }
  });
  return { items, skipped };
}

export interface ImageSources {
  github: GitHubClient;
  pullRequest: PullRequestContext;
  event: RunEvent;
  githubToken: string;
  /** Download URL of each description image, by item key. */
  downloadUrls: ReadonlyMap<string, string>;
}

export async function downloadItem(sources: ImageSources, item: ReviewItem): Promise<ItemBytes> {
  const { github, pullRequest } = sources;
  if (item.source === "body") {
    const url = sources.downloadUrls.get(item.key) ?? item.afterLink ?? "";
    const githubOrigins = [new URL(sources.event.serverUrl).origin, new URL(sources.event.apiUrl).origin];
    return {
      before: undefined,
      after: await downloadBodyImage(url, item.name, { token: sources.githubToken, githubOrigins }),
    };
  }
  const location = { owner: pullRequest.owner, repo: pullRequest.repo };
  const after = await fetchFile(github, { ...location, path: item.name, ref: pullRequest.headSha });
  if (item.status === "added") {
    return { before: undefined, after };
  }
  const before = await fetchFile(github, {
    ...location,
    path: item.previousPath ?? item.name,
    ref: pullRequest.mergeBaseSha,
  });
  return { before, after };
}
