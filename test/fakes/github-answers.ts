/*
 * Canned answers of the fake GitHub REST API, worded as GitHub words them: scripted faults for
 * `failNext`, comment-body validation and the plain 404.
 */
import { errorBody } from "./github-http.js";
import { commentBodyLimit, type FakeAnswer } from "./github-types.js";

/** Ready-made answers for `failNext`, worded as GitHub words them. */
export const githubFaults = {
  /**
   * A secondary rate limit: 403 (or 429) with a message that says so. `retry-after` is sent only when
   * given: GitHub documents that it "might" be present, and without it the client is to wait at least
   * a minute, longer on each repeat
   * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
   */
  secondaryRateLimit(retryAfterSeconds?: number, status: 403 | 429 = 403): FakeAnswer {
    return {
      status,
      ...(retryAfterSeconds === undefined ? {} : { headers: { "retry-after": String(retryAfterSeconds) } }),
      body: {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:FAKE.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: String(status),
      },
    };
  },
  primaryRateLimit(resetEpochSeconds: number): FakeAnswer {
    return {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetEpochSeconds) },
      body: errorBody(403, "API rate limit exceeded for installation ID 1."),
    };
  },
  serverError(status = 502): FakeAnswer {
    return { status, body: { message: "Server Error" } };
  },
} as const;

export function bodyProblem(body: unknown): { status: number; body: unknown } | undefined {
  const text = typeof body === "object" && body !== null ? (body as { body?: unknown }).body : undefined;
  if (typeof text !== "string") {
    return {
      status: 422,
      body: errorBody(422, "Invalid request.\n\nFor 'properties/body', nil is not a string."),
    };
  }
  if (text.length > commentBodyLimit) {
    return {
      status: 422,
      body: errorBody(422, "Validation Failed", {
        errors: [
          {
            resource: "IssueComment",
            code: "unprocessable",
            field: "data",
            message: `Body is too long (maximum is ${commentBodyLimit} characters)`,
          },
        ],
      }),
    };
  }
  return undefined;
}

export function notFound(): { status: number; body: unknown } {
  return { status: 404, body: errorBody(404, "Not Found") };
}
