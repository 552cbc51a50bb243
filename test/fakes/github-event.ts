/*
 * Webhook payloads for GITHUB_EVENT_PATH, built from a pull request held by the fake GitHub.
 */
import { type PayloadContext, pullRequestJson, repositoryJson, userJson } from "./github-payloads.js";
import type { FakeGitHub, FakePullRequest } from "./github-types.js";

/** A real-shaped `pull_request` webhook payload (action "synchronize") for a PR in the fake, for GITHUB_EVENT_PATH. */
export function pullRequestEvent(
  fake: FakeGitHub,
  pullRequest: FakePullRequest,
  options: { action?: string; eventName?: "pull_request" | "pull_request_target" } = {},
): Record<string, unknown> {
  const context: PayloadContext = {
    apiUrl: fake.apiUrl,
    serverUrl: fake.serverUrl,
    owner: fake.owner,
    repo: fake.repo,
  };
  return {
    action: options.action ?? "synchronize",
    number: pullRequest.number,
    pull_request: pullRequestJson(context, pullRequest),
    ...(options.action === undefined || options.action === "synchronize"
      ? { before: "0".repeat(40), after: pullRequest.head.sha }
      : {}),
    repository: repositoryJson(context, `${fake.owner}/${fake.repo}`),
    organization: { login: fake.owner, id: 1, url: `${fake.apiUrl}/orgs/${fake.owner}` },
    sender: userJson(context, pullRequest.user),
  };
}
