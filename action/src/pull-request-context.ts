/*
 * Which pull request this run is about, from the event that started it, and its current state read
 * through the API (the payload can be stale on a re-run; the API also gives body_html, whose signed
 * attachment URLs body-images.ts needs).
 */
import { ConfigurationError } from "@glance/core";
import type { GitHubClient } from "./github-client.js";

export interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  bodyHtml: string;
  baseSha: string;
  headSha: string;
  /** True when the head branch lives in another repository (a fork). */
  fromFork: boolean;
}

export interface RunEvent {
  eventName: string;
  payload: Record<string, unknown>;
  repository: string;
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
  const response = await github.rest.pulls.get({
    owner,
    repo,
    pull_number: number,
    mediaType: { format: "full" },
  });
  const data = response.data as typeof response.data & { body_html?: string | null };
  const headRepository = data.head.repo?.full_name;
  return {
    owner,
    repo,
    number,
    title: data.title,
    body: data.body ?? "",
    bodyHtml: data.body_html ?? "",
    baseSha: data.base.sha,
    headSha: data.head.sha,
    fromFork: headRepository !== undefined && headRepository !== `${owner}/${repo}`,
  };
}
