/*
 * File bytes at a commit, through the REST API only: the action never checks out the pull request.
 * Two steps, so that a run can order and plan its images before it holds their pixels:
 * - `locateFile` asks the contents API for the file's entry: its size and git blob sha (a content
 *   address: equal shas mean equal bytes), and, for files up to 1 MB, the bytes themselves, which
 *   the API embeds as base64 ("encoding": "none" and no content above 1 MB;
 *   https://docs.github.com/en/rest/repos/contents#get-repository-content, "Size limits").
 * - `fetchBlob` takes the bytes of a larger file from the git blob API by that sha, with the raw media
 *   type (`application/vnd.github.raw+json`, https://docs.github.com/en/rest/git/blobs#get-a-blob,
 *   up to 100 MB): the bytes as they are, not base64 in JSON four thirds their size.
 * GitHub's REST documentation says nothing of byte ranges (`Range`) on either endpoint, so the action
 * does not rely on them: a large file is downloaded whole, once, when its turn in the review comes.
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

/** A file's version at a commit, as the contents API describes it. */
export interface FileVersion {
  location: FileLocation;
  size: number;
  /** The git blob sha: the same for the same bytes, whatever the path or commit. */
  sha: string;
  /** The bytes when the contents API embedded them (files up to 1 MB); undefined for larger ones. */
  bytes: Buffer | undefined;
}

export async function locateFile(github: GitHubClient, location: FileLocation): Promise<FileVersion> {
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
  const embedded =
    data.size === 0
      ? Buffer.alloc(0)
      : data.encoding === "base64" && data.content !== ""
        ? Buffer.from(data.content, "base64")
        : undefined;
  return { location, size: data.size, sha: data.sha, bytes: embedded };
}

/** The file's bytes: the embedded ones, else the blob, downloaded raw. */
export async function fetchBlob(github: GitHubClient, version: FileVersion): Promise<Buffer> {
  if (version.bytes !== undefined) {
    return version.bytes;
  }
  const { owner, repo, path } = version.location;
  // GitHub labels raw content text/plain, and Octokit would decode it as UTF-8 text, which corrupts
  // binary files: the body is taken unparsed, as the stream it is.
  const response = await github.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
    owner,
    repo,
    file_sha: version.sha,
    headers: { accept: "application/vnd.github.raw+json" },
    request: { parseSuccessResponseBody: false },
  });
  return readExactly(response.data as unknown as ReadableStream<Uint8Array>, version.size, path);
}

/** The stream's bytes, copied once into a buffer of the size the contents API reported. */
async function readExactly(stream: ReadableStream<Uint8Array>, size: number, path: string): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (filled + value.length > size) {
      await reader.cancel();
      throw new Error(`${path}: GitHub sent more than the ${size} bytes the file has.`);
    }
    bytes.set(value, filled);
    filled += value.length;
  }
  if (filled !== size) {
    throw new Error(`${path}: GitHub sent ${filled} bytes of a ${size}-byte file.`);
  }
  return bytes;
}
