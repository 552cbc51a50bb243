/*
 * File bytes at a commit, through the REST API only: the action never checks out the pull request.
 * The contents API embeds files up to 1 MB as base64; for larger ones it answers with encoding
 * "none", and the git blob API returns them by the sha the contents API reports.
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
  // The raw media type is served as text/plain, and Octokit decodes text bodies as UTF-8, which corrupts
  // binary files; the git blob API returns the same bytes as base64 JSON, up to 100 MB.
  const blob = await github.rest.git.getBlob({ owner: location.owner, repo: location.repo, file_sha: data.sha });
  if (blob.data.encoding !== "base64") {
    throw new Error(`${location.path}: GitHub returned the file in an unexpected encoding (${blob.data.encoding}).`);
  }
  return Buffer.from(blob.data.content, "base64");
}
