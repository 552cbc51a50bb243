/*
 * File bytes at a commit, through the REST API only: the action never checks out the pull request.
 * The contents API embeds files up to 1 MB as base64; for larger ones it answers with encoding
 * "none", and the raw media type returns the bytes themselves.
 */
import type { GitHubClient } from "./github-client.js";

/** Refused before download: far above anything the model accepts even after scaling. */
export const maxFileBytes = 50 * 1024 * 1024;

export interface FileLocation {
  owner: string;
  repo: string;
  path: string;
  ref: string;
}

export async function fetchFile(github: GitHubClient, location: FileLocation): Promise<Buffer> {
  const response = await github.rest.repos.getContent({
    owner: location.owner,
    repo: location.repo,
    path: location.path,
    ref: location.ref,
  });
  const data = response.data;
  if (Array.isArray(data) || data.type !== "file") {
    throw new Error(`${location.path} at ${location.ref.slice(0, 7)} is not a file.`);
  }
  if (data.size > maxFileBytes) {
    throw new Error(`${location.path} is ${data.size} bytes; files over ${maxFileBytes} bytes are not downloaded.`);
  }
  if (data.encoding === "base64" && data.content !== "") {
    return Buffer.from(data.content, "base64");
  }
  if (data.size === 0) {
    return Buffer.alloc(0);
  }
  const raw = await github.rest.repos.getContent({
    owner: location.owner,
    repo: location.repo,
    path: location.path,
    ref: location.ref,
    mediaType: { format: "raw" },
  });
  return bytesOf(raw.data);
}

/** Octokit hands back raw bodies as ArrayBuffer (binary) or string (when the type looks like text). */
export function bytesOf(data: unknown): Buffer {
  if (data instanceof ArrayBuffer) {
    return Buffer.from(data);
  }
  if (ArrayBuffer.isView(data)) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  if (typeof data === "string") {
    return Buffer.from(data, "binary");
  }
  throw new Error("GitHub returned a raw file body in an unexpected form.");
}
