import { BotError } from "./bot-error.js";
import { fileLabel, type SlackFile } from "./slack-file.js";

export interface DownloadOptions {
  botToken: string;
  /** Origins that may receive the bot token (Slack's file hosts); any other host gets no Authorization. */
  trustedOrigins: readonly string[];
  fetch: typeof globalThis.fetch;
  maxBytes: number;
  timeoutMilliseconds?: number;
}

const maxRedirects = 5;

/** Slack's own file hosts, trusted when no override is configured. */
export function isSlackFileHost(url: URL): boolean {
  return url.protocol === "https:" && (url.hostname === "files.slack.com" || url.hostname.endsWith(".slack.com"));
}

/**
 * Downloads a private Slack file. Redirects are followed by hand so the bot token goes only to trusted
 * origins (fetch would drop it on a cross-origin hop anyway, and must never leak it to a CDN); an HTML
 * page instead of the file is Slack's way of saying "no access".
 */
export async function downloadSlackFile(file: SlackFile, options: DownloadOptions): Promise<Buffer> {
  const label = fileLabel(file);
  if (file.size !== undefined && file.size > options.maxBytes) {
    throw tooLarge(label, file.size, options.maxBytes);
  }
  const start = file.url_private_download ?? file.url_private;
  if (start === undefined) {
    throw new BotError(
      "file-no-access",
      `I can't open ${label}: Slack gave me no download link. It may be an external file (Google Drive, Dropbox); upload it to Slack instead.`,
    );
  }
  let url = new URL(start);
  const signal = AbortSignal.timeout(options.timeoutMilliseconds ?? 60_000);
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    const trusted = options.trustedOrigins.includes(url.origin) || isSlackFileHost(url);
    const response = await options.fetch(url, {
      redirect: "manual",
      signal,
      headers: trusted ? { authorization: `Bearer ${options.botToken}` } : {},
    });
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      await response.body?.cancel();
      if (location === null) break;
      url = new URL(location, url);
      continue;
    }
    if (response.status === 403 || response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      throw new BotError(
        "file-other-workspace",
        `I can't open ${label}: Slack answered ${response.status}. The file may be private, deleted, or shared from another workspace; upload it to this conversation again.`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new BotError(
        "file-no-access",
        `I couldn't download ${label}: Slack answered ${response.status}. Try again in a moment.`,
      );
    }
    const contentType = response.headers.get("content-type") ?? "";
    if (contentType.includes("text/html")) {
      await response.body?.cancel();
      throw new BotError(
        "file-no-access",
        `I can't open ${label}: Slack sent a sign-in page instead of the file, so I have no access to it. ` +
          "Make sure the app has the files:read scope (reinstall it after adding scopes) and is a member of this channel (/invite @Glance).",
      );
    }
    return readCapped(response, label, options.maxBytes);
  }
  throw new BotError("file-no-access", `I couldn't download ${label}: Slack redirected too many times.`);
}

async function readCapped(response: Response, label: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(label, declared, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    total += chunk.length;
    if (total > maxBytes) {
      throw tooLarge(label, total, maxBytes);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** In the unit GLANCE_MAX_FILE_MB is set in (2^20 bytes), so the limit reads as configured. */
function megabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MB`;
}

function tooLarge(label: string, size: number, maxBytes: number): BotError {
  return new BotError(
    "file-too-large",
    `${label} is ${megabytes(size)}, above the ${megabytes(maxBytes)} I download (GLANCE_MAX_FILE_MB). Send a smaller or shorter file.`,
  );
}
