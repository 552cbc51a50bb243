/*
 * The one download of a URL that someone else wrote: an image in a pull request's description, a link
 * given to `/ocr`, a Slack file's url_private. Every adapter downloads through here, so the rules hold
 * in one place:
 * - redirects are followed by hand (at most 5), and every hop is checked again: https only, no user
 *   name or password in the URL, and every address the host resolves to must be public (see
 *   public-address.ts). Origins the caller allows (a proxy, GitHub Enterprise on a private network,
 *   fakes in tests) skip the https and address rules, never the others;
 * - the host is resolved once, every address is checked, and the connection goes to exactly those
 *   addresses (an undici Agent whose `lookup` answers from the checked list and never asks DNS), so a
 *   host that answers DNS differently the second time (DNS rebinding) cannot slip a private address in;
 * - credentials (an Authorization header) go only to the origins, and optionally paths, the caller
 *   names, never to any other hop: a redirect to a CDN gets no token;
 * - one deadline for the whole download, redirects and the body included;
 * - a content-length above the cap is refused before reading, and the body is counted while it
 *   streams, so a missing or lying content-length changes nothing;
 * - optionally, the bytes must be an image (or an image or a video) by their magic bytes.
 * Sizes in messages use formatBytes: decimal units (1 MB = 1,000,000 bytes) everywhere in core. An
 * adapter whose limit is set in MiB names its setting with the configured value beside it.
 * Messages name the caller's `label` and the host, never the URL: a signed URL is a password.
 */
import { lookup as lookupInDns } from "node:dns/promises";
import { isIP, type LookupFunction } from "node:net";
// Types only: undici is loaded when the first download starts, so that commands which never download
// (the CLI's estimate, the action's plan) do not pay its load time (about 70 ms) at start-up.
import type { Agent, Dispatcher } from "undici";
import { AbortedError, ConfigurationError, DownloadError, type DownloadErrorDetails } from "../errors.js";
import { formatBytes, formatSeconds } from "../internal/format-quantity.js";
import { detectFormat } from "../media/detect-format.js";
import { isNonPublicAddress } from "./public-address.js";

/** What the downloaded bytes must be, judged by their magic bytes (detectFormat), not by the content type. */
export type DownloadExpectation = "anything" | "image" | "image-or-video";

/** Where credentials may go: one origin, or every subdomain of one, and optionally only some paths. */
export interface CredentialScope {
  /** "https://files.slack.com", or "https://*.slack.com" for every subdomain of slack.com (not slack.com itself). */
  origin: string;
  /** When given, only hops whose path matches get the credentials. */
  path?: RegExp;
}

export interface DownloadCredentials {
  /** Headers such as `authorization`, sent only to hops that match one of `scopes`. */
  headers: Readonly<Record<string, string>>;
  scopes: readonly CredentialScope[];
}

/** What every hop outside the allowed origins must satisfy. Tests replace it to treat 127.0.0.1 as "the internet". */
export interface DestinationRules {
  /** URL schemes with their colon, such as "https:". */
  schemes: readonly string[];
  /** True for an address that must not be connected to. */
  isRefusedAddress: (address: string) => boolean;
}

export const defaultDestinationRules: DestinationRules = { schemes: ["https:"], isRefusedAddress: isNonPublicAddress };

export interface DownloadUntrustedOptions {
  /** Names the download in messages (a file name, an image's alt text); never the URL, which may be signed. */
  label: string;
  /** The most bytes read; more is refused (from content-length before reading, or while reading). */
  maxBytes: number;
  /** The whole download, redirects included. Default 30,000 ms. */
  timeoutMilliseconds?: number;
  /** Default "anything". */
  expect?: DownloadExpectation;
  /** The accept header sent to every hop. Default "*\/*". */
  accept?: string;
  credentials?: DownloadCredentials;
  /** Origins ("http://127.0.0.1:8080") that may be reached over http or at a private address. */
  allowedOrigins?: readonly string[];
  /** Resolves a host name to all its addresses; the system resolver by default (replaceable in tests). */
  resolve?: (hostname: string) => Promise<readonly string[]>;
  /** Default: https only, public addresses only (defaultDestinationRules). */
  rules?: DestinationRules;
  /** Cancels the download; it then rejects with AbortedError. */
  signal?: AbortSignal;
}

export interface DownloadedFile {
  bytes: Buffer;
  /** The media type the server declared ("image/png", without parameters), when it declared a well-formed one. */
  contentType: string | undefined;
  /** Where the bytes came from after redirects. May be signed: never show it. */
  finalUrl: string;
}

/** The most redirects followed; the next one is refused. */
export const maxDownloadRedirects = 5;

const defaultTimeoutMilliseconds = 30_000;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Downloads `url` under the rules above; every failure is a DownloadError (or AbortedError when `signal` aborts). */
export async function downloadUntrusted(url: string, options: DownloadUntrustedOptions): Promise<DownloadedFile> {
  const timeoutMilliseconds = options.timeoutMilliseconds ?? defaultTimeoutMilliseconds;
  if (!(Number.isSafeInteger(options.maxBytes) && options.maxBytes > 0)) {
    throw new ConfigurationError("maxBytes", `The download limit is ${options.maxBytes} bytes; it must be at least 1.`);
  }
  if (!(timeoutMilliseconds > 0)) {
    throw new ConfigurationError(
      "timeout",
      `The download timeout is ${timeoutMilliseconds} ms; it must be more than 0.`,
    );
  }
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map(originOf));
  const scopes = (options.credentials?.scopes ?? []).map(parseScope);
  const rules = options.rules ?? defaultDestinationRules;
  const resolve = options.resolve ?? resolveWithSystem;
  const deadline = new Deadline(timeoutMilliseconds, options.signal);
  // Each host is resolved once per download; the Agent connects only to what was resolved and checked here.
  const pinned = new Map<string, readonly string[]>();
  const undici = await import("undici");
  const agent = new undici.Agent({ connect: { lookup: pinnedLookup(pinned) } });
  const failure = new FailureContext(options.label);

  try {
    let current = parseUrl(url, failure);
    for (;;) {
      failure.host = current.hostname;
      failure.contentType = undefined;
      const allowed = allowedOrigins.has(current.origin);
      await checkDestination(current, { allowed, rules, resolve, pinned, deadline, failure });
      const response = await send(undici.request, agent, current, {
        accept: options.accept ?? "*/*",
        credentials: scopes.some((scope) => scope.matches(current)) ? options.credentials?.headers : undefined,
        signal: deadline.signal,
      });
      failure.contentType = mediaTypeOf(response.headers["content-type"]);
      if (redirectStatuses.has(response.statusCode)) {
        discard(response);
        const location = headerValue(response.headers.location);
        if (location === undefined) {
          throw failure.error(
            { reason: "http-status", status: response.statusCode },
            `the server answered HTTP ${response.statusCode} (a redirect) without saying where to. Check the link.`,
          );
        }
        if (failure.redirects === maxDownloadRedirects) {
          throw failure.error(
            { reason: "too-many-redirects" },
            `the link redirected more than ${maxDownloadRedirects} times, the most that are followed. Link to the file itself.`,
          );
        }
        failure.redirects += 1;
        current = parseUrl(location, failure, current);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode > 299) {
        discard(response);
        throw failure.error(
          { reason: "http-status", status: response.statusCode },
          `the server answered HTTP ${response.statusCode} instead of the file. Check that the link is right and that the file is public.`,
        );
      }
      const bytes = await readCapped(response, options.maxBytes, failure);
      checkExpectation(bytes, options.expect ?? "anything", failure);
      return { bytes, contentType: failure.contentType, finalUrl: current.href };
    }
  } catch (error) {
    throw deadline.explain(error, failure, timeoutMilliseconds);
  } finally {
    deadline.clear();
    await agent.destroy().catch(() => undefined);
  }
}

/** What a failure says about where it happened; filled in as the download goes. */
class FailureContext {
  readonly label: string;
  host: string | undefined = undefined;
  redirects = 0;
  contentType: string | undefined = undefined;

  constructor(label: string) {
    this.label = label;
  }

  error(
    details: Omit<DownloadErrorDetails, "label" | "host" | "redirects">,
    sentence: string,
    cause?: unknown,
  ): DownloadError {
    return new DownloadError(
      {
        contentType: this.contentType,
        ...details,
        label: this.label,
        host: this.host,
        redirects: this.redirects,
      },
      `${this.label}: ${sentence}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** One deadline for the whole download, and the caller's cancel, as one signal. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#callerSignal?.reason);
  #timedOut = false;

  constructor(timeoutMilliseconds: number, callerSignal: AbortSignal | undefined) {
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error("The download deadline passed."));
    }, timeoutMilliseconds);
    if (callerSignal?.aborted === true) this.#controller.abort(callerSignal.reason);
    callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Rejects as soon as the deadline passes or the caller cancels, whatever `work` is doing. */
  race<T>(work: Promise<T>): Promise<T> {
    const signal = this.#controller.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  /** Any failure as the one error family: the deadline, the caller's cancel, or a broken connection. */
  explain(error: unknown, failure: FailureContext, timeoutMilliseconds: number): Error {
    if (error instanceof DownloadError || error instanceof ConfigurationError) return error;
    if (this.#timedOut) {
      return failure.error(
        { reason: "timeout" },
        `the download did not finish within ${formatSeconds(timeoutMilliseconds / 1000)}, the time allowed. Try again, or use a smaller file or a faster host.`,
        error,
      );
    }
    if (this.#callerSignal?.aborted === true) return new AbortedError({ cause: error });
    const code = errorCodeOf(error);
    return failure.error(
      { reason: "connection" },
      `the connection to ${failure.host ?? "the server"} failed${code === undefined ? "" : ` (${code})`}. Check the link, or try again later.`,
      error,
    );
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
  }
}

function parseUrl(text: string, failure: FailureContext, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (error) {
    throw failure.error(
      { reason: "bad-url" },
      base === undefined
        ? "the link is not a valid URL. Use a complete https:// link."
        : "the server redirected to a location that is not a valid URL, so the download stopped. Check the link.",
      error,
    );
  }
  return url;
}

interface DestinationCheck {
  allowed: boolean;
  rules: DestinationRules;
  resolve: (hostname: string) => Promise<readonly string[]>;
  pinned: Map<string, readonly string[]>;
  deadline: Deadline;
  failure: FailureContext;
}

/** The rules for one hop; on success the hop's addresses are pinned for the connection. */
async function checkDestination(url: URL, check: DestinationCheck): Promise<void> {
  const { failure } = check;
  const redirected = failure.redirects > 0 ? "it redirected to a link that" : "the link";
  const web = url.protocol === "https:" || url.protocol === "http:";
  if (!web || (!check.allowed && !check.rules.schemes.includes(url.protocol))) {
    throw failure.error(
      { reason: "insecure-scheme" },
      `only https links are downloaded, but ${redirected} uses ${url.protocol.replace(/:$/, "")}. Use an https link.`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw failure.error(
      { reason: "credentials-in-url" },
      `${redirected} carries a user name or password, which is never sent. Remove them from the link.`,
    );
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  let addresses = check.pinned.get(hostname);
  if (addresses === undefined) {
    if (isIP(hostname) !== 0) {
      addresses = [hostname];
    } else {
      try {
        addresses = await check.deadline.race(check.resolve(hostname));
      } catch (error) {
        if (check.deadline.signal.aborted) throw error;
        throw failure.error(
          { reason: "connection" },
          `its host ${url.hostname} could not be found${errorCodeOf(error) === undefined ? "" : ` (${errorCodeOf(error)})`}. Check the link.`,
          error,
        );
      }
    }
    if (addresses.length === 0) {
      throw failure.error({ reason: "connection" }, `its host ${url.hostname} has no address. Check the link.`);
    }
    check.pinned.set(hostname, addresses);
  }
  // Every address counts: a host with one public and one private address is refused, since either may be used.
  if (!check.allowed && addresses.some((address) => check.rules.isRefusedAddress(address))) {
    throw failure.error(
      { reason: "private-address" },
      `its host ${url.hostname} is a private, local or reserved address, and only public addresses are downloaded. Link to a file on a public host.`,
    );
  }
}

/** The system resolver, every address in the order it gives them. */
async function resolveWithSystem(hostname: string): Promise<readonly string[]> {
  const found = await lookupInDns(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/** A `lookup` for sockets that answers only from the pinned (checked) addresses and never asks DNS itself. */
function pinnedLookup(pinned: ReadonlyMap<string, readonly string[]>): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const family = lookupOptions.family === "IPv4" ? 4 : lookupOptions.family === "IPv6" ? 6 : lookupOptions.family;
    const addresses = (pinned.get(hostname) ?? []).filter(
      (address) => family === undefined || family === 0 || isIP(address) === family,
    );
    const first = addresses[0];
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error(`${hostname} was not resolved and checked before connecting.`);
      error.code = "ENOTFOUND";
      callback(error, "", 0);
      return;
    }
    if (lookupOptions.all === true) {
      callback(
        null,
        addresses.map((address) => ({ address, family: isIP(address) })),
      );
      return;
    }
    callback(null, first, isIP(first));
  };
}

function send(
  request: typeof import("undici").request,
  agent: Agent,
  url: URL,
  hop: { accept: string; credentials: Readonly<Record<string, string>> | undefined; signal: AbortSignal },
): Promise<Dispatcher.ResponseData> {
  return request(url, {
    dispatcher: agent,
    method: "GET",
    headers: { accept: hop.accept, "user-agent": "glance", ...hop.credentials },
    signal: hop.signal,
  });
}

/** The body, refused from its content-length when that is over the cap, and counted while it streams. */
async function readCapped(
  response: Dispatcher.ResponseData,
  maxBytes: number,
  failure: FailureContext,
): Promise<Buffer> {
  const declaredText = headerValue(response.headers["content-length"]);
  const declared = declaredText !== undefined && /^\d+$/.test(declaredText) ? Number(declaredText) : undefined;
  if (declared !== undefined && declared > maxBytes) {
    discard(response);
    throw failure.error(
      { reason: "too-large", maxBytes, sizeBytes: declared },
      `the file is ${formatBytes(declared)}, above the ${formatBytes(maxBytes)} download limit. Use a smaller file.`,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += piece.length;
    if (total > maxBytes) {
      discard(response);
      throw failure.error(
        { reason: "too-large", maxBytes, sizeBytes: undefined },
        `the file is larger than the ${formatBytes(maxBytes)} download limit (found while reading it). Use a smaller file.`,
      );
    }
    chunks.push(piece);
  }
  return Buffer.concat(chunks, total);
}

function checkExpectation(bytes: Buffer, expect: DownloadExpectation, failure: FailureContext): void {
  if (expect === "anything") return;
  let kind: "image" | "video" | undefined;
  let format = "";
  try {
    const detected = detectFormat(bytes, failure.label);
    kind = detected.kind;
    format = detected.format;
  } catch {
    kind = undefined;
  }
  if (kind === "image" || (kind === "video" && expect === "image-or-video")) return;
  const wanted = expect === "image" ? "an image" : "an image or a video";
  const sent =
    kind === "video"
      ? `a video (${format})`
      : failure.contentType === "text/html"
        ? "a web page"
        : "bytes that are not a known image or video format";
  throw failure.error(
    { reason: expect === "image" ? "not-an-image" : "not-an-image-or-video" },
    `the server sent ${sent}${failure.contentType === undefined ? "" : ` (declared as ${failure.contentType})`}, not ${wanted}. Link to the file itself, not a page that shows it.`,
  );
}

/** A scope parsed once: "https://*.slack.com" matches https://files.slack.com but not https://slack.com. */
function parseScope(scope: CredentialScope): { matches(url: URL): boolean } {
  const match = /^(https?):\/\/(\*\.)?([^/:*?#@]+)(:\d+)?\/?$/i.exec(scope.origin);
  if (match === null) {
    throw new ConfigurationError(
      "credentials",
      `The credential scope "${scope.origin}" is not an origin such as https://files.example.com or https://*.example.com.`,
    );
  }
  const base = new URL(`${match[1]}://${match[3]}${match[4] ?? ""}`);
  const wildcard = match[2] !== undefined;
  return {
    matches: (url) => {
      const host = wildcard
        ? url.protocol === base.protocol && url.port === base.port && url.hostname.endsWith(`.${base.hostname}`)
        : url.origin === base.origin;
      return host && (scope.path === undefined || scope.path.test(url.pathname));
    },
  };
}

function originOf(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    throw new ConfigurationError(
      "allowedOrigins",
      `The allowed origin "${origin}" is not a URL such as http://127.0.0.1:8080.`,
    );
  }
}

/** The media type alone ("text/html"), or undefined when the header is missing or not a well-formed type. */
function mediaTypeOf(header: string | string[] | undefined): string | undefined {
  const value = headerValue(header)?.split(";")[0]?.trim().toLowerCase();
  return value !== undefined && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(value)
    ? value
    : undefined;
}

/** Drops a body that will not be read; the stream's abort error is expected and goes nowhere. */
function discard(response: Dispatcher.ResponseData): void {
  response.body.on("error", () => undefined);
  response.body.destroy();
}

function headerValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** A system error's code ("ECONNREFUSED", "UND_ERR_SOCKET"): says what failed without echoing any URL. */
function errorCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^[A-Z0-9_]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}
