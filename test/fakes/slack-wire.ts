/*
 * Wire helpers of the fake Slack: reading request bodies the way Slack accepts them (form-encoded,
 * JSON or multipart: https://docs.slack.dev/apis/web-api/#posting_json), finding the token, and
 * answering JSON or an HTML page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function contentTypeOf(request: IncomingMessage): string {
  return String(request.headers["content-type"] ?? "").toLowerCase();
}

/** Web API arguments: Slack takes form-encoded or JSON bodies, and the query string too. */
export function parseArguments(request: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const argumentsFound: Record<string, unknown> = {};
  const query = new URL(request.url ?? "/", "http://fake").searchParams;
  for (const [key, value] of query) {
    argumentsFound[key] = value;
  }
  if (raw.length === 0) {
    return argumentsFound;
  }
  if (contentTypeOf(request).includes("application/json")) {
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        Object.assign(argumentsFound, parsed);
      }
    } catch {
      // Slack answers invalid_json; an empty argument set reproduces the same downstream errors.
    }
    return argumentsFound;
  }
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) {
    argumentsFound[key] = value;
  }
  return argumentsFound;
}

/**
 * The bytes of an upload to files.getUploadURLExternal's URL. The WebClient sends multipart form data
 * (one file part); curl-style clients send the raw bytes. Node's own Request parses multipart for us.
 */
export async function parseUploadedBytes(request: IncomingMessage, raw: Buffer): Promise<Buffer> {
  const contentType = contentTypeOf(request);
  if (!contentType.startsWith("multipart/form-data")) {
    return raw;
  }
  const form = await new Request("http://fake/upload", {
    method: "POST",
    headers: { "content-type": String(request.headers["content-type"]) },
    body: raw,
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== "string") {
      return Buffer.from(await value.arrayBuffer());
    }
  }
  const first = form.values().next();
  return Buffer.from(first.done === true ? "" : String(first.value));
}

/** The bearer token of the Authorization header, or undefined. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") {
    return undefined;
  }
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** What Slack answers a file URL without access: a 200 sign-in page, not an error status. */
export const loginPage =
  '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8"><title>Slack</title></head>' +
  '<body><div id="page"><h1>Sign in to your workspace</h1><form action="/signin" method="post"></form></div></body></html>';

/** A string argument, or undefined. Form bodies make every value a string; JSON bodies may not. */
export function stringArgument(argumentsGiven: Record<string, unknown>, name: string): string | undefined {
  const value = argumentsGiven[name];
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return undefined;
}

/** A structured argument (blocks, chunks, files): the WebClient JSON-encodes these inside form bodies. */
export function structuredArgument(argumentsGiven: Record<string, unknown>, name: string): unknown {
  const value = argumentsGiven[name];
  if (typeof value !== "string") {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
