/*
 * Where each image's bytes come from: a changed file through the REST API at the head commit (and,
 * unless it was added, at the merge base for "before"); a description image from the URL GitHub
 * rendered for it in body_html (a signed one for private uploads, camo for other hosts; see
 * body-images.ts), with no token. Signed upload URLs expire about five minutes after body_html was
 * read (a captured one has `exp - nbf = 300` and `X-Amz-Expires=300`:
 * https://cky.im/zh/d/deal-with-private-user-images-when-fetching-github-discussion-body, 2023-12-13),
 * and description images are downloaded last (after the changed files), so body_html is read again
 * just before a download when the copy in hand is older than four minutes.
 */
import { type FileVersion, fetchBlob, locateFile } from "./blob-fetching.js";
import { bodyItemOf, downloadBodyImage, findBodyImages, resolveDownloadUrls } from "./body-images.js";
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";
import type { ItemBytes, ReviewItem, SkippedItem } from "./review-item.js";
import type { RunEvent } from "./run-event.js";

/** body_html older than this is read again before a description image is downloaded. */
export const signedUrlFreshMilliseconds = 4 * 60 * 1000;

export interface BodyImage {
  item: ReviewItem;
  downloadUrl: string;
}

/** The description's images as review items, each with the URL to download it from, and those that cannot be. */
export function bodyImageItems(description: { body: string; bodyHtml: string }): {
  items: BodyImage[];
  skipped: SkippedItem[];
} {
  const references = findBodyImages(description.body);
  const urls = resolveDownloadUrls(references, description.bodyHtml);
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

/**
 * The download URL of each description image, kept fresh: read from body_html when the run read the
 * pull request, and read again (once, shared by concurrent downloads) when that copy has grown old.
 */
export class DescriptionImageUrls {
  readonly #github: GitHubClient;
  readonly #pullRequest: PullRequestContext;
  readonly #now: () => number;
  #urls: Map<string, string>;
  #readAt: number;
  #rereading: Promise<void> | undefined;

  constructor(
    github: GitHubClient,
    pullRequest: PullRequestContext,
    items: readonly BodyImage[],
    readAt: number,
    now: () => number,
  ) {
    this.#github = github;
    this.#pullRequest = pullRequest;
    this.#now = now;
    this.#urls = new Map(items.map((entry) => [entry.item.key, entry.downloadUrl]));
    this.#readAt = readAt;
  }

  async urlOf(item: ReviewItem): Promise<string> {
    if (this.#now() - this.#readAt > signedUrlFreshMilliseconds) {
      this.#rereading ??= this.#reread().finally(() => {
        this.#rereading = undefined;
      });
      await this.#rereading;
    }
    return this.#urls.get(item.key) ?? item.afterLink ?? "";
  }

  async #reread(): Promise<void> {
    const { owner, repo, number } = this.#pullRequest;
    const readAt = this.#now();
    const response = await this.#github.rest.pulls.get({
      owner,
      repo,
      pull_number: number,
      mediaType: { format: "full" },
    });
    const data = response.data as typeof response.data & { body_html?: string | null };
    const fresh = bodyImageItems({ body: data.body ?? "", bodyHtml: data.body_html ?? "" });
    // An image the author removed meanwhile keeps its old URL and fails on its own.
    for (const entry of fresh.items) {
      this.#urls.set(entry.item.key, entry.downloadUrl);
    }
    this.#readAt = readAt;
  }
}

export interface ImageSources {
  github: GitHubClient;
  pullRequest: PullRequestContext;
  event: RunEvent;
  descriptionUrls: DescriptionImageUrls;
}

/** One side of an item before its bytes are downloaded: its size, identity and, when in hand, bytes. */
export interface SideLocation {
  size: number;
  /** The git blob sha of a changed file; undefined for a description image (its bytes are in hand). */
  sha: string | undefined;
  version: FileVersion | undefined;
  bytes: Buffer | undefined;
}

export interface ItemLocation {
  before: SideLocation | undefined;
  after: SideLocation;
}

/**
 * Where an item's bytes are, at the cost of one small API request per changed file's side (the
 * contents entry: size and blob sha; the bytes too when the file is up to 1 MB). A description image
 * lives outside the API (no sha, no size without the bytes) and is downloaded here, whole.
 */
export async function locateItem(sources: ImageSources, item: ReviewItem): Promise<ItemLocation> {
  const { github, pullRequest } = sources;
  if (item.source === "body") {
    const url = await sources.descriptionUrls.urlOf(item);
    const githubOrigins = [new URL(sources.event.serverUrl).origin, new URL(sources.event.apiUrl).origin];
    const bytes = await downloadBodyImage(url, item.name, { githubOrigins });
    return { before: undefined, after: { size: bytes.length, sha: undefined, version: undefined, bytes } };
  }
  const location = { owner: pullRequest.owner, repo: pullRequest.repo };
  const side = (version: FileVersion): SideLocation => ({
    size: version.size,
    sha: version.sha,
    version,
    bytes: version.bytes,
  });
  const after = side(await locateFile(github, { ...location, path: item.name, ref: pullRequest.headSha }));
  if (item.status === "added") {
    return { before: undefined, after };
  }
  const before = side(
    await locateFile(github, { ...location, path: item.previousPath ?? item.name, ref: pullRequest.mergeBaseSha }),
  );
  return { before, after };
}

/** The item's bytes: those in hand, the rest downloaded from the blob API (both sides at once). */
export async function fetchItemBytes(github: GitHubClient, location: ItemLocation): Promise<ItemBytes> {
  const bytesOf = async (side: SideLocation): Promise<Buffer> => {
    if (side.bytes !== undefined) return side.bytes;
    if (side.version === undefined) throw new Error("the image's bytes are gone.");
    return fetchBlob(github, side.version);
  };
  const [before, after] = await Promise.all([
    location.before === undefined ? undefined : bytesOf(location.before),
    bytesOf(location.after),
  ]);
  return { before, after };
}
