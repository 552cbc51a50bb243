/*
 * Which pull request this run is about, from the event that started it, and its current state read
 * through the API (the payload can be stale on a re-run; the API also gives body_html, whose signed
 * attachment URLs body-images.ts needs).
 */
import { ConfigurationError } from "@glance/core";
import { describeGitHubError, type GitHubClient } from "./github-client.js";
import type { RunEvent } from "./run-event.js";

export interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  bodyHtml: string;
  baseSha: string;
  /** The head commit this run reviews: the event's (what was pushed when the run started). */
  headSha: string;
  /** The pull request's head now, per the API: differs from headSha when a newer push came in. */
  currentHeadSha: string;
  /** Where the "before" images come from: the merge base the changed-file list compares against. */
  mergeBaseSha: string;
  /** True when the head branch lives in another repository (a fork). */
  fromFork: boolean;
}

/** The pull request number of the event, or the `pull-request` input for workflow_dispatch. */
export function pullRequestNumberOf(event: RunEvent, inputNumber: number | undefined): number {
  if (inputNumber !== undefined) {
    return inputNumber;
  }
  const pullRequest = event.payload.pull_request as { number?: unknown } | undefined;
  if ((event.eventName === "pull_request" || event.eventName === "pull_request_target") && pullRequest !== undefined) {
    if (typeof pullRequest.number === "number") {
      return pullRequest.number;
    }
  }
  throw new ConfigurationError(
    "pull-request",
    `This run was started by "${event.eventName}", which names no pull request. ` +
      "Run the action on pull_request or pull_request_target, or set the pull-request input (for workflow_dispatch).",
  );
}

/** True when the event's own payload says the head is a fork (no secrets on pull_request). */
export function eventIsFromFork(event: RunEvent): boolean {
  const pullRequest = event.payload.pull_request as
    | { head?: { repo?: { full_name?: unknown } | null }; base?: { repo?: { full_name?: unknown } } }
    | undefined;
  const head = pullRequest?.head?.repo?.full_name;
  const base = pullRequest?.base?.repo?.full_name ?? event.repository;
  return typeof head === "string" && head !== base;
}

export async function loadPullRequest(
  github: GitHubClient,
  event: RunEvent,
  number: number,
): Promise<PullRequestContext> {
  const [owner = "", repo = ""] = event.repository.split("/");
  if (owner === "" || repo === "") {
    throw new ConfigurationError(
      "GITHUB_REPOSITORY",
      `GITHUB_REPOSITORY is "${event.repository}"; it must be "owner/repo".`,
    );
  }
  // The full media type adds body_html, where private attachments appear as signed URLs.
  const response = await github.rest.pulls
    .get({ owner, repo, pull_number: number, mediaType: { format: "full" } })
    .catch((error: unknown) => {
      throw describeGitHubError(error, `read pull request #${number} of ${owner}/${repo}`, "pull-requests: read");
    });
  const data = response.data as typeof response.data & { body_html?: string | null };
  const headRepository = data.head.repo?.full_name;
  // The event's head: a re-run of an old event reviews the commit it was started for, not a newer one.
  const eventPullRequest = event.payload.pull_request as
    | { number?: unknown; head?: { sha?: unknown }; base?: { sha?: unknown } }
    | undefined;
  const fromEvent = eventPullRequest?.number === number ? eventPullRequest : undefined;
  const headSha = typeof fromEvent?.head?.sha === "string" ? fromEvent.head.sha : data.head.sha;
  const baseSha = typeof fromEvent?.base?.sha === "string" ? fromEvent.base.sha : data.base.sha;
  return {
    owner,
    repo,
    number,
    title: data.title,
    body: data.body ?? "",
    bodyHtml: data.body_html ?? "",
    baseSha,
    headSha,
    currentHeadSha: data.head.sha,
    mergeBaseSha: baseSha,
    fromFork: headRepository !== undefined && headRepository !== `${owner}/${repo}`,
  };
}

/**
 * The merge base of base and head, which the changed-file list diffs against (base.sha may have moved
 * on since the branch forked). Falls back to base.sha, with the reason, when the compare API fails.
 */
export async function findMergeBase(
  github: GitHubClient,
  pullRequest: PullRequestContext,
  warn: (message: string) => void,
): Promise<string> {
  try {
    const response = await github.rest.repos.compareCommits({
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      base: pullRequest.baseSha,
      head: pullRequest.headSha,
      per_page: 1,
    });
    return response.data.merge_base_commit.sha;
  } catch (error) {
    warn(
      `The merge base of ${pullRequest.baseSha.slice(0, 7)} and ${pullRequest.headSha.slice(0, 7)} could not be read (${error instanceof Error ? error.message : String(error)}); "before" images come from the base commit instead.`,
    );
    return pullRequest.baseSha;
  }
}
