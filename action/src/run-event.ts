/*
 * What the runner says about this run: the event that started it, the repository, the workflow job
 * and run, and GitHub's addresses. index.ts reads it from the environment and the event payload
 * (the only place that does); tests build it directly.
 */
export interface RunEvent {
  /** GITHUB_EVENT_NAME: pull_request, pull_request_target, workflow_dispatch... */
  eventName: string;
  /** The webhook payload of GITHUB_EVENT_PATH. */
  payload: Record<string, unknown>;
  /** GITHUB_REPOSITORY: "owner/repo". */
  repository: string;
  /** GITHUB_ACTOR: who started the run (Dependabot runs see other secrets). */
  actor: string;
  /** GITHUB_WORKFLOW and GITHUB_JOB: the comment of each workflow job is its own. */
  workflow: string;
  job: string;
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT; undefined outside a runner (local runs). */
  runId: string | undefined;
  runAttempt: string | undefined;
  /** GITHUB_SERVER_URL (links, description attachments) and GITHUB_API_URL (the REST API). */
  serverUrl: string;
  apiUrl: string;
}
