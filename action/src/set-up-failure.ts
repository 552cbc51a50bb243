/*
 * Failures that say the run is set up wrong, not that one image could not be reviewed: the key was
 * refused (401/403: a wrong or revoked key, or a key of another region), the model is unknown where
 * the request went (404), or the endpoint does not answer at all. Every other image would fail the
 * same way, so the run stops at once, posts no comment (nothing was reviewed) and ends with one line
 * that names the cause and the fix. Everything else (a rate limit, an outage, a refused image) stays a
 * per-image failure that the comment lists.
 */
import { ApiError, ConnectionError } from "@glance/core";

export interface SetUpContext {
  model: string;
  /** The endpoint the requests went to (the client's base URL). */
  endpoint: string;
  /** True once any model request of this run was answered: a later broken connection is then an outage, not a wrong endpoint. */
  answeredBefore: boolean;
}

/** The one line for a set-up failure, or undefined when the error is about one image only. */
export function setUpFailureOf(error: unknown, context: SetUpContext): string | undefined {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return (
      `The Model Studio key was refused (${error.status}${error.apiCode === undefined ? "" : ` ${error.apiCode}`}): ` +
      `check the api-key secret, and that the key's region matches base-url/region (keys work only in the region that issued them; this run used ${context.endpoint}).`
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      `Model Studio answered 404${error.apiCode === undefined ? "" : ` ${error.apiCode}`} for model "${context.model}" at ${context.endpoint}: ` +
      "the model does not exist in that region or for this key, or base-url is not an OpenAI-compatible endpoint (it ends in /compatible-mode/v1). " +
      "Check the model input and base-url/region."
    );
  }
  if (error instanceof ConnectionError && !context.answeredBefore) {
    return (
      `Model Studio at ${context.endpoint} did not answer: check base-url/region, and that the runner can reach that endpoint. ` +
      `(${error.message.replace(/\.$/, "")})`
    );
  }
  return undefined;
}
