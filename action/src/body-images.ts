/*
 * Images embedded in the pull request description: Markdown `![alt](url)` and HTML `<img src>`.
 * Where to download each from is read from the description's body_html, as GitHub rendered it:
 * - a private upload (github.com/user-attachments/assets/<id>) opens only for a signed-in browser; no
 *   API token opens it, the Actions token included, so it is never sent one. body_html carries a signed
 *   private-user-images URL for it instead, matched by the upload's id (else by position); that URL
 *   expires about five minutes after the read (image-sources.ts re-reads body_html when it is older);
 * - another host's image comes through camo, GitHub's image proxy, with the original URL in
 *   `data-canonical-src` (https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-anonymized-urls):
 *   downloaded from camo, the runner never contacts the author's host, and an http image arrives over https.
 * Downloads go through core's downloadUntrusted, with no credentials at all: the configured GitHub
 * origins (GITHUB_SERVER_URL, GITHUB_API_URL) may be plain http or private (GitHub Enterprise Server);
 * any other host must be https and resolve to public addresses; every redirect hop is checked again;
 * the size is capped, and whatever comes back must be an image by its magic bytes.
 */
import { DownloadError, downloadUntrusted, formatBytes, maxDownloadRedirects } from "@glance/core";
import { classifyByPath } from "./image-classification.js";
import type { ReviewItem, SkippedItem } from "./review-item.js";

export interface BodyImageReference {
  url: string;
  alt: string;
}

export const maxBodyImageBytes = 20 * 1024 * 1024;
const downloadTimeoutMilliseconds = 30_000;

const markdownImage = /!\[([^\]]*)\]\(\s*<?([^\s)>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const htmlImage = /<img\b[^>]*>/gi;

/** Image references in reading order, code blocks and inline code left out, each URL once. */
export function findBodyImages(body: string): BodyImageReference[] {
  const text = body.replace(/```[\s\S]*?```|~~~[\s\S]*?~~~|`[^`\n]*`/g, " ");
  const found: Array<BodyImageReference & { index: number }> = [];
  for (const match of text.matchAll(markdownImage)) {
    found.push({ url: match[2] ?? "", alt: match[1] ?? "", index: match.index ?? 0 });
  }
  for (const match of text.matchAll(htmlImage)) {
    const tag = match[0];
    const src = attribute(tag, "src");
    if (src !== undefined) {
      found.push({ url: src, alt: attribute(tag, "alt") ?? "", index: match.index ?? 0 });
    }
  }
  const seen = new Set<string>();
  return found
    .sort((first, second) => first.index - second.index)
    .filter((reference) => /^https?:\/\//i.test(reference.url))
    .filter((reference) => !seen.has(reference.url) && seen.add(reference.url))
    .map(({ url, alt }) => ({ url, alt }));
}

/**
 * The URL to download each reference from: the camo or signed one from body_html when GitHub rendered
 * one (by `data-canonical-src`, else for an upload by its id or position), else the original.
 */
export function resolveDownloadUrls(references: readonly BodyImageReference[], bodyHtml: string): string[] {
  const rendered = [...bodyHtml.matchAll(htmlImage)].map((match) => ({
    src: decodeEntities(attribute(match[0], "src") ?? ""),
    canonical: normalisedUrl(decodeEntities(attribute(match[0], "data-canonical-src") ?? "")),
  }));
  const httpRendered = rendered.filter((image) => /^https?:\/\//i.test(image.src));
  return references.map((reference, index) => {
    // GitHub's renderer percent-encodes the URL it records (spaces, non-ASCII), so both sides are
    // compared in the WHATWG URL form.
    const canonical = normalisedUrl(reference.url);
    const byCanonical = canonical === "" ? undefined : httpRendered.find((image) => image.canonical === canonical);
    if (byCanonical !== undefined) {
      return byCanonical.src;
    }
    // Only a private attachment is swapped for a signed URL: any other reference is downloaded from
    // what the author wrote, so one description URL can never stand in for another.
    if (!isAttachmentReference(reference.url)) {
      return reference.url;
    }
    // github.com signs user-attachments/assets/<id> as private-user-images/.../<...><id>...?jwt=...
    const id = new URL(reference.url).pathname.split("/").pop() ?? "";
    const byId =
      id.length >= 8 ? httpRendered.find((image) => image.src !== reference.url && image.src.includes(id)) : undefined;
    if (byId !== undefined) {
      return byId.src;
    }
    if (httpRendered.length === references.length) {
      return httpRendered[index]?.src ?? reference.url;
    }
    return reference.url;
  });
}

function isAttachmentReference(url: string): boolean {
  return URL.canParse(url) && /^\/user-attachments\/assets\/[^/]+$/.test(new URL(url).pathname);
}

/** A description image as a review item, or the reason it cannot be one (the job never fails on it). */
export function bodyItemOf(reference: BodyImageReference): { item: ReviewItem } | { skipped: SkippedItem } {
  const label = reference.alt.trim() !== "" ? reference.alt.trim() : reference.url;
  let url: URL;
  try {
    url = new URL(reference.url);
  } catch {
    return { skipped: { name: label, reason: "the description links it with a URL that is not valid" } };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { skipped: { name: label, reason: `only http(s) images are reviewed, not ${url.protocol}` } };
  }
  // The normalised form: spaces, quotes and angle brackets percent-encoded, so the URL is one token.
  const href = url.href;
  const fileName = decodeURIComponentSafe(url.pathname.split("/").pop() ?? "");
  const name = reference.alt.trim() !== "" ? reference.alt.trim() : fileName || href;
  return {
    item: {
      key: `body:${href}`,
      source: "body",
      name,
      status: "body",
      previousPath: undefined,
      sizeChange: 0,
      kindHint: classifyByPath(`${reference.alt} ${fileName}`),
      beforeLink: undefined,
      afterLink: href,
    },
  };
}

export interface DownloadOptions {
  /** GITHUB_SERVER_URL and GITHUB_API_URL origins: the hosts that may be http or private (http only in tests). */
  githubOrigins: readonly string[];
  maxBytes?: number;
}

/**
 * Downloads one description image through core's downloadUntrusted. The configured GitHub origins may
 * be plain http or on a private network (GitHub Enterprise Server); every other host must be public
 * https. `label` names the image in messages: never the URL, which may be a signed one. A failure is
 * thrown as an Error whose message completes "could not be downloaded: ...".
 */
export async function downloadBodyImage(url: string, label: string, options: DownloadOptions): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? maxBodyImageBytes;
  try {
    const file = await downloadUntrusted(url, {
      label,
      maxBytes,
      timeoutMilliseconds: downloadTimeoutMilliseconds,
      expect: "image",
      accept: "image/*",
      allowedOrigins: options.githubOrigins,
    });
    return file.bytes;
  } catch (error) {
    if (error instanceof DownloadError) throw new Error(downloadFailureReason(error));
    throw error;
  }
}

/** Why a description image was not downloaded, in the words of the job summary and the comment. */
function downloadFailureReason(error: DownloadError): string {
  switch (error.reason) {
    case "bad-url":
      return "its URL (or a redirect's) is not valid.";
    case "insecure-scheme":
      return `only https images are downloaded from hosts other than GitHub; ${error.redirects > 0 ? "it redirected to one that is not" : "this one is not"}.`;
    case "credentials-in-url":
      return "its URL carries a user name or password, which is never used.";
    case "private-address":
      return `its host ${error.host ?? ""} does not resolve to public addresses only, so it is not fetched.`;
    case "too-many-redirects":
      return `it redirected more than ${maxDownloadRedirects} times.`;
    case "too-large":
      return error.sizeBytes === undefined
        ? `it is over ${formatBytes(error.maxBytes ?? 0)}; larger description images are not downloaded.`
        : `it is ${formatBytes(error.sizeBytes)}; description images over ${formatBytes(error.maxBytes ?? 0)} are not downloaded.`;
    case "timeout":
      return `it did not finish downloading within ${downloadTimeoutMilliseconds / 1000} s.`;
    case "http-status":
      return `downloading it failed with HTTP ${error.status ?? "error"}.`;
    case "connection":
      return `the connection to ${error.host ?? "its host"} failed.`;
    case "not-an-image":
    case "not-an-image-or-video":
      return `it is not an image (the bytes are not a known image format${error.contentType === undefined ? "" : `; the server called it ${error.contentType}`}).`;
  }
}

/** The URL in WHATWG form ("" when it does not parse), so two spellings of one URL compare equal. */
function normalisedUrl(text: string): string {
  return URL.canParse(text) ? new URL(text).href : "";
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * One attribute of a tag, read attribute by attribute so that text inside a quoted value is never taken
 * for an attribute: alt text such as `x src=https://elsewhere` must not stand in for the real src.
 */
function attribute(tag: string, name: string): string | undefined {
  const inside = tag.replace(/^<[a-z]+/i, "").replace(/\/?>$/, "");
  const pattern = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of inside.matchAll(pattern)) {
    if (match[1]?.toLowerCase() === name) return match[2] ?? match[3] ?? match[4] ?? "";
  }
  return undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
