/*
 * Images embedded in the pull request description: Markdown `![alt](url)` and HTML `<img src>`.
 * Private attachments (github.com/user-attachments/assets/...) cannot be fetched anonymously; the
 * description's body_html carries short-lived signed URLs for them, matched by the attachment id
 * (else by position). The token is
 * only ever sent to the GitHub server's own host, redirects are followed without it, and whatever
 * comes back must be an image by its magic bytes, whatever its content-type says.
 */
import { detectFormat } from "@glance/core";
import { classifyByPath } from "./image-classification.js";
import type { ReviewItem } from "./review-item.js";

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
 * The URL to download each reference from: the signed one from body_html when GitHub rendered one
 * (by `data-canonical-src`, else by position when both lists have the same length), else the original.
 */
export function resolveDownloadUrls(references: readonly BodyImageReference[], bodyHtml: string): string[] {
  const rendered = [...bodyHtml.matchAll(htmlImage)].map((match) => ({
    src: decodeEntities(attribute(match[0], "src") ?? ""),
    canonical: decodeEntities(attribute(match[0], "data-canonical-src") ?? ""),
  }));
  const httpRendered = rendered.filter((image) => /^https?:\/\//i.test(image.src));
  return references.map((reference, index) => {
    const byCanonical = httpRendered.find((image) => image.canonical === reference.url);
    if (byCanonical !== undefined) {
      return byCanonical.src;
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

export function bodyItemOf(reference: BodyImageReference): ReviewItem {
  const fileName = new URL(reference.url).pathname.split("/").pop() ?? "";
  const name = reference.alt.trim() !== "" ? reference.alt.trim() : fileName || reference.url;
  return {
    key: `body:${reference.url}`,
    source: "body",
    name,
    status: "body",
    previousPath: undefined,
    changes: 0,
    kindHint: classifyByPath(`${reference.alt} ${fileName}`),
    beforeLink: undefined,
    afterLink: reference.url,
  };
}

export interface DownloadOptions {
  token: string;
  /** The GitHub server (GITHUB_SERVER_URL) and API URL: the only hosts that get the token. */
  trustedHosts: readonly string[];
  fetch?: typeof globalThis.fetch;
}

/** `label` names the image in messages: never the URL, which may be a signed one. */
export async function downloadBodyImage(url: string, label: string, options: DownloadOptions): Promise<Buffer> {
  const fetchFunction = options.fetch ?? globalThis.fetch;
  let current = new URL(url);
  for (let redirects = 0; redirects <= 5; redirects += 1) {
    const trusted = options.trustedHosts.includes(current.host);
    const response = await fetchFunction(current, {
      redirect: "manual",
      headers: {
        accept: "image/*",
        ...(trusted ? { authorization: `token ${options.token}` } : {}),
      },
      signal: AbortSignal.timeout(downloadTimeoutMilliseconds),
    });
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      await response.body?.cancel();
      if (location === null) {
        throw new Error(`the server answered ${response.status} without a location.`);
      }
      current = new URL(location, current);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`downloading it failed with HTTP ${response.status}.`);
    }
    const declared = Number(response.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > maxBodyImageBytes) {
      await response.body?.cancel();
      throw new Error(
        `it is ${declared} bytes; description images over ${maxBodyImageBytes} bytes are not downloaded.`,
      );
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > maxBodyImageBytes) {
      throw new Error(
        `it is ${bytes.length} bytes; description images over ${maxBodyImageBytes} bytes are not reviewed.`,
      );
    }
    const format = detectFormat(bytes, label);
    if (format.kind !== "image") {
      throw new Error(`it is a ${format.format} file, not an image.`);
    }
    return bytes;
  }
  throw new Error("it redirected more than 5 times.");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  return match === null ? undefined : (match[1] ?? match[2] ?? match[3]);
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
