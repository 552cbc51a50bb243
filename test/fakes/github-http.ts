/*
 * Wire helpers of the fake GitHub REST API: reading bodies, answering JSON or bytes with GitHub's
 * headers, pagination `link` headers, git blob hashes and GitHub's line-wrapped base64.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const documentationUrl = "https://docs.github.com/rest";

/** GitHub answers every error as JSON with a message, a documentation URL and the status as a string. */
export function errorBody(status: number, message: string, extras: Record<string, unknown> = {}): unknown {
  return { message, documentation_url: documentationUrl, status: String(status), ...extras };
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) {
    return undefined;
  }
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function sendBytes(
  response: ServerResponse,
  content: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(200, { "content-type": contentType, "content-length": String(content.length), ...headers });
  response.end(content);
}

/** The sha git gives a blob: sha1 over "blob <size>\0" and the bytes. */
export function gitBlobSha(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

/** GitHub's contents and blobs APIs wrap base64 at 60 characters, each line ending in "\n". */
export function wrappedBase64(content: Buffer): string {
  const flat = content.toString("base64");
  let wrapped = "";
  for (let start = 0; start < flat.length; start += 60) {
    wrapped += `${flat.slice(start, start + 60)}\n`;
  }
  return wrapped;
}

/** The media-type format the client asked for in Accept (`application/vnd.github[.v3].FORMAT[+json]`). */
export function requestedFormat(request: IncomingMessage): "full" | "html" | "text" | "raw" | "object" | undefined {
  const accept = String(request.headers.accept ?? "");
  const match = /application\/vnd\.github(?:\.v3)?\.(full|html|text|raw|object)(?:\+json)?/i.exec(accept);
  const format = match?.[1]?.toLowerCase();
  return format === "full" || format === "html" || format === "text" || format === "raw" || format === "object"
    ? format
    : undefined;
}

export interface Page<Item> {
  items: Item[];
  /** The `link` header, absent when everything fits on one page. */
  link: string | undefined;
}

/** Slices a list the way GitHub pages it (per_page default 30, max 100) and builds the `link` header. */
export function paginate<Item>(all: Item[], url: URL, apiUrl: string): Page<Item> {
  const perPage = Math.min(100, Math.max(1, positiveInteger(url.searchParams.get("per_page")) ?? 30));
  const page = positiveInteger(url.searchParams.get("page")) ?? 1;
  const lastPage = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const pageUrl = (number: number): string => {
    const target = new URL(`${url.pathname}${url.search}`, apiUrl);
    target.searchParams.set("per_page", String(perPage));
    target.searchParams.set("page", String(number));
    return target.toString();
  };
  const relations: string[] = [];
  if (page > 1) {
    relations.push(`<${pageUrl(Math.min(page - 1, lastPage))}>; rel="prev"`);
  }
  if (page < lastPage) {
    relations.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`);
  }
  if (page > 1) {
    relations.push(`<${pageUrl(1)}>; rel="first"`);
  }
  return { items, link: relations.length === 0 ? undefined : relations.join(", ") };
}

function positiveInteger(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) {
    return undefined;
  }
  const number = Number(value);
  return number > 0 ? number : undefined;
}
