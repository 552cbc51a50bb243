/*
 * Every download the bot makes, and what the user reads when one fails. Both go through core's
 * downloadUntrusted, which follows redirects by hand and checks every hop (https only, public
 * addresses only, resolved once and connected to exactly the checked address), caps the size while
 * reading and keeps one deadline:
 * - a Slack file (url_private) gets the bot token, but only on Slack's file hosts (https://*.slack.com,
 *   and https://*.slack-gov.com for GovSlack) and on the origins the operator trusts; any other hop,
 *   a CDN after a redirect or a url_private that points elsewhere, gets no token and the same https
 *   and public-address rules as any link. Slack answers a file the bot may not read with its HTML
 *   sign-in page (status 200), and a file of another workspace with 403/404/410;
 * - an image link given to `/ocr` never gets a token: a user could otherwise make the bot read a
 *   cloud metadata service or an admin page on the private network (server-side request forgery),
 *   and the bytes must be an image, so a web page never reaches the model.
 * Sizes read in decimal units (core's formatBytes: 1 MB = 1,000,000 bytes); GLANCE_MAX_FILE_MB is set
 * in MiB, so the message names the setting with its configured value beside the limit.
 */
import { DownloadError, type DownloadUntrustedOptions, downloadUntrusted, formatBytes } from "@glance/core";
import { BotError } from "./bot-error.js";
import type { BotMetrics } from "./health/metrics.js";
import { fileLabel, type SlackFile } from "./slack-file.js";

/** Slack's file hosts: the only places, besides the operator's trusted origins, that get the bot token. */
const slackFileHosts = ["https://*.slack.com", "https://*.slack-gov.com"];

/** Whether a URL is on one of Slack's file hosts (commercial Slack or GovSlack). */
export function isSlackFileHost(url: URL): boolean {
  return url.protocol === "https:" && (url.hostname.endsWith(".slack.com") || url.hostname.endsWith(".slack-gov.com"));
}

export interface SlackFileDownloadOptions {
  botToken: string;
  /** Origins besides Slack's file hosts that may receive the bot token (a proxy, or a fake in tests). */
  trustedOrigins: readonly string[];
  /** Origins that may be reached over http or at a private address, with no token unless also trusted. */
  allowedOrigins: readonly string[];
  maxBytes: number;
  timeoutMilliseconds?: number;
  /** Counts the download (glance_downloads_total) when given. */
  metrics?: BotMetrics;
  /** Passed to core's downloader: the DNS resolver and destination rules, replaced only by tests. */
  network?: Pick<DownloadUntrustedOptions, "resolve" | "rules">;
}

/** Downloads a private Slack file with the bot token, which never leaves Slack's hosts and the trusted origins. */
export async function downloadSlackFile(file: SlackFile, options: SlackFileDownloadOptions): Promise<Buffer> {
  const label = fileLabel(file);
  if (file.size !== undefined && file.size > options.maxBytes) {
    throw tooLarge(label, file.size, options.maxBytes, "Send a smaller or shorter file.");
  }
  const start = file.url_private_download ?? file.url_private;
  if (start === undefined) {
    throw new BotError(
      "file-no-access",
      `I can't open ${label}: Slack gave me no download link. It may be an external file (Google Drive, Dropbox); upload it to Slack instead.`,
    );
  }
  let downloaded: Awaited<ReturnType<typeof downloadUntrusted>>;
  try {
    downloaded = await downloadUntrusted(start, {
      ...options.network,
      label,
      maxBytes: options.maxBytes,
      timeoutMilliseconds: options.timeoutMilliseconds ?? 60_000,
      allowedOrigins: [...options.trustedOrigins, ...options.allowedOrigins],
      credentials: {
        headers: { authorization: `Bearer ${options.botToken}` },
        scopes: [...slackFileHosts, ...options.trustedOrigins].map((origin) => ({ origin })),
      },
    });
  } catch (error) {
    options.metrics?.recordDownload("slack_file", "failed", 0);
    throw error instanceof DownloadError ? slackFileFailure(error, label) : error;
  }
  if (downloaded.contentType === "text/html") {
    options.metrics?.recordDownload("slack_file", "failed", downloaded.bytes.length);
    throw new BotError(
      "file-no-access",
      `I can't open ${label}: Slack sent a sign-in page instead of the file, so I have no access to it. ` +
        "Make sure the app has the files:read scope (reinstall it after adding scopes) and is a member of this channel (/invite @Glance).",
    );
  }
  options.metrics?.recordDownload("slack_file", "ok", downloaded.bytes.length);
  return downloaded.bytes;
}

function slackFileFailure(error: DownloadError, label: string): BotError {
  switch (error.reason) {
    case "http-status":
      if (error.status === 403 || error.status === 404 || error.status === 410) {
        return new BotError(
          "file-other-workspace",
          `I can't open ${label}: Slack answered ${error.status}. The file may be private, deleted, or shared from another workspace; upload it to this conversation again.`,
        );
      }
      return new BotError(
        "file-no-access",
        `I couldn't download ${label}: Slack answered ${error.status ?? "with an error"}. Try again in a moment.`,
      );
    case "too-large":
      return tooLarge(label, error.sizeBytes, error.maxBytes ?? 0, "Send a smaller or shorter file.");
    case "too-many-redirects":
      return new BotError("file-no-access", `I couldn't download ${label}: Slack redirected too many times.`);
    case "timeout":
      return new BotError("file-no-access", `I couldn't download ${label} from Slack in time. Try again in a moment.`);
    case "connection":
      return new BotError("file-no-access", `I couldn't reach Slack to download ${label}. Try again in a moment.`);
    case "bad-url":
    case "insecure-scheme":
    case "credentials-in-url":
    case "private-address":
      return new BotError(
        "file-no-access",
        `I can't open ${label}: its download link ${error.redirects > 0 ? "redirects to" : "points to"} ${linkProblem(error)}, so I won't fetch it. Upload the file to this conversation again.`,
      );
    case "not-an-image":
    case "not-an-image-or-video":
      return new BotError("file-unsupported", error.message);
  }
}

export interface ImageLinkDownloadOptions {
  maxBytes: number;
  /** Origins that may be reached over http or at a private address (a proxy, or fakes in tests). */
  allowedOrigins: readonly string[];
  timeoutMilliseconds?: number;
  /** Counts the download (glance_downloads_total) when given. */
  metrics?: BotMetrics;
}

/** Downloads the image a user linked to with `/ocr <URL>`, never with a token, refusing anything that could reach inside the network. */
export async function downloadImageLink(link: string, options: ImageLinkDownloadOptions): Promise<Buffer> {
  try {
    const downloaded = await downloadUntrusted(link, {
      label: link,
      maxBytes: options.maxBytes,
      timeoutMilliseconds: options.timeoutMilliseconds ?? 30_000,
      expect: "image",
      accept: "image/*",
      allowedOrigins: options.allowedOrigins,
    });
    options.metrics?.recordDownload("image_link", "ok", downloaded.bytes.length);
    return downloaded.bytes;
  } catch (error) {
    options.metrics?.recordDownload("image_link", "failed", 0);
    throw error instanceof DownloadError ? imageLinkFailure(error, link) : error;
  }
}

function imageLinkFailure(error: DownloadError, link: string): BotError {
  switch (error.reason) {
    case "bad-url":
      return error.redirects === 0
        ? new BotError("bad-input", `"${link}" is not a URL I can read. Pass an https link to an image.`)
        : new BotError("bad-input", `I couldn't download ${link}: it redirects to a location that is not a valid URL.`);
    case "insecure-scheme":
      return new BotError(
        "bad-input",
        `I only download https links; ${link} ${error.redirects > 0 ? "redirects to one that is not" : "is not one"}.`,
      );
    case "credentials-in-url":
      return new BotError("bad-input", "I don't download links with a user name or password in them.");
    case "private-address":
      return new BotError(
        "bad-input",
        `I don't download from ${error.host ?? link}: it is a private or local address. Upload the image to Slack instead.`,
      );
    case "too-large":
      return tooLarge(link, error.sizeBytes, error.maxBytes ?? 0, "Link to a smaller image.");
    case "too-many-redirects":
      return new BotError("bad-input", `I couldn't download ${link}: too many redirects.`);
    case "timeout":
      return new BotError(
        "bad-input",
        `I couldn't download ${link}: it took too long. Try again, or upload the image.`,
      );
    case "http-status":
      return new BotError(
        "bad-input",
        `I couldn't download ${link}: the server answered ${error.status ?? "an error"}.`,
      );
    case "connection":
      return new BotError(
        "bad-input",
        `I couldn't download ${link}: I could not connect to ${error.host ?? "its host"}. Check the link.`,
      );
    case "not-an-image":
    case "not-an-image-or-video":
      return new BotError(
        "file-unsupported",
        `${link} did not answer with an image (the bytes are not PNG, JPEG, WebP, GIF, BMP, TIFF, HEIC or AVIF). Link to the image file itself, not a page showing it.`,
      );
  }
}

/** What was wrong with a link that was refused before any request was made to it. */
function linkProblem(error: DownloadError): string {
  switch (error.reason) {
    case "insecure-scheme":
      return "an address that is not https";
    case "credentials-in-url":
      return "an address with a user name or password in it";
    case "private-address":
      return `${error.host ?? "a host"}, a private or local address that is not Slack's`;
    default:
      return "an address that is not valid";
  }
}

/** The size, the limit and the setting behind it, so the limit reads as the operator configured it. */
function tooLarge(label: string, sizeBytes: number | undefined, maxBytes: number, fix: string): BotError {
  const setting = `GLANCE_MAX_FILE_MB is ${Math.round((maxBytes / (1024 * 1024)) * 100) / 100} MiB`;
  return new BotError(
    "file-too-large",
    sizeBytes === undefined
      ? `${label} is larger than the ${formatBytes(maxBytes)} I download (${setting}). ${fix}`
      : `${label} is ${formatBytes(sizeBytes)}, above the ${formatBytes(maxBytes)} I download (${setting}). ${fix}`,
  );
}
