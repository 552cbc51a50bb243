import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { detectFormat, formatBytes, isNonPublicAddress } from "@glance/core";
import { BotError } from "./bot-error.js";

/*
 * `/ocr <image URL>` makes the bot fetch a URL any user typed, from inside the network it runs in.
 * Unchecked, that is server-side request forgery: a user could make it read a cloud metadata service
 * (169.254.169.254), an admin page on localhost, or a service on the private network, and have the
 * model read the answer back to them. So:
 * - only https URLs (no plain http, file:, data: or other schemes);
 * - the host must resolve only to public addresses: loopback, private (RFC 1918, fc00::/7),
 *   link-local, carrier-grade NAT, multicast and unspecified ranges are refused;
 * - redirects are followed by hand and every hop is checked the same way;
 * - no credentials are ever sent (the bot token goes only to Slack's file hosts, elsewhere);
 * - the size is capped while reading, and the bytes must be an image by their magic numbers, so an
 *   HTML page or a binary is refused before it reaches the model.
 * Origins in `trustedOrigins` (a proxy the operator configured, or a fake in tests) skip the https and
 * address checks. Known gap: the address is checked at lookup, and fetch resolves the name again, so a
 * DNS-rebinding host could switch to a private address in between; pinning the address would need a
 * custom HTTP agent.
 */

export interface UrlDownloadOptions {
  fetch: typeof globalThis.fetch;
  maxBytes: number;
  trustedOrigins: readonly string[];
  /** Resolves a host name to its addresses; node's DNS by default (replaceable in tests). */
  resolve?: (hostname: string) => Promise<string[]>;
  timeoutMilliseconds?: number;
}

const maxRedirects = 5;

async function defaultResolve(hostname: string): Promise<string[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/** Downloads an image a user linked to, refusing anything that could reach inside the network. */
export async function downloadImageUrl(text: string, options: UrlDownloadOptions): Promise<Buffer> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BotError("bad-input", `"${text}" is not a URL I can read. Pass an https link to an image.`);
  }
  const signal = AbortSignal.timeout(options.timeoutMilliseconds ?? 30_000);
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    await checkDestination(url, options);
    let response: Response;
    try {
      response = await options.fetch(url, { redirect: "manual", signal, headers: { accept: "image/*" } });
    } catch (error) {
      throw new BotError(
        "bad-input",
        `I couldn't download ${url.href}: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      await response.body?.cancel();
      if (location === null) break;
      url = new URL(location, url);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new BotError("bad-input", `I couldn't download ${url.href}: the server answered ${response.status}.`);
    }
    const bytes = await readCapped(response, url.href, options.maxBytes);
    let kind: string;
    try {
      kind = detectFormat(bytes.subarray(0, 64), url.href).kind;
    } catch {
      kind = "unknown";
    }
    if (kind !== "image") {
      throw new BotError(
        "file-unsupported",
        `${url.href} did not answer with an image (the bytes are not PNG, JPEG, WebP, GIF, BMP, TIFF, HEIC or AVIF). Link to the image file itself, not a page showing it.`,
      );
    }
    return bytes;
  }
  throw new BotError("bad-input", `I couldn't download ${text}: too many redirects.`);
}

async function checkDestination(url: URL, options: UrlDownloadOptions): Promise<void> {
  if (options.trustedOrigins.includes(url.origin)) return;
  if (url.protocol !== "https:") {
    throw new BotError("bad-input", `I only download https links; ${url.href} is ${url.protocol.replace(":", "")}.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new BotError("bad-input", "I don't download links with a user name or password in them.");
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const addresses = isIP(hostname) === 0 ? await (options.resolve ?? defaultResolve)(hostname) : [hostname];
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw new BotError(
      "bad-input",
      `I don't download from ${url.hostname}: it is a private or local address. Upload the image to Slack instead.`,
    );
  }
}

async function readCapped(response: Response, label: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new BotError(
        "file-too-large",
        `${label} is more than ${formatBytes(maxBytes)}, the most I download. Link to a smaller image.`,
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
