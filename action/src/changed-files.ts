/* The pull request's changed files, every page of them (GitHub stops listing at 3000). */
import type { GitHubClient } from "./github-client.js";
import type { PullRequestContext } from "./pull-request-context.js";

export interface ChangedFile {
  path: string;
  status: "added" | "modified" | "removed" | "renamed" | "changed" | "copied" | "unchanged";
  previousPath: string | undefined;
}

export const githubFileListLimit = 3000;

/** Files per page of the listing (GitHub's maximum); exported so tests can build exactly two pages. */
export const filesPerPage = 100;

export async function listChangedFiles(github: GitHubClient, pullRequest: PullRequestContext): Promise<ChangedFile[]> {
  const files = await github.paginate(github.rest.pulls.listFiles, {
    owner: pullRequest.owner,
    repo: pullRequest.repo,
    pull_number: pullRequest.number,
    per_page: filesPerPage,
  });
  return files.map((file) => ({
    path: file.filename,
    status: file.status,
    previousPath: file.previous_filename ?? undefined,
  }));
}
