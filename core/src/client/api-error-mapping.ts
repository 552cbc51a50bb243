import { APIError } from "openai";
import { ApiError, type GlanceError } from "../errors.js";
import { retryAfterSeconds } from "./retry-policy.js";

/** What the service said, read from an SDK error. */
export interface ServiceFailure {
  status: number;
  apiCode: string | undefined;
  serviceMessage: string | undefined;
  requestId: string | undefined;
  retryAfterSeconds: number | undefined;
}

export function serviceFailureOf(error: APIError, nowMilliseconds: number): ServiceFailure | undefined {
  if (error.status === undefined) {
    return undefined;
  }
  const body = error.error as { message?: unknown; code?: unknown } | undefined;
  const apiCode = typeof error.code === "string" ? error.code : typeof body?.code === "string" ? body.code : undefined;
  const serviceMessage = typeof body?.message === "string" ? body.message : undefined;
  return {
    status: error.status,
    apiCode,
    serviceMessage,
    requestId: error.requestID ?? undefined,
    retryAfterSeconds: retryAfterSeconds(error.headers?.get("retry-after"), nowMilliseconds),
  };
}

/**
 * One readable error per kind of failure. `apiKey` is scrubbed from everything the service said,
 * because some gateways echo the credential back in their messages.
 */
export function apiErrorOf(failure: ServiceFailure, apiKey: string, attempts: number, cause: unknown): GlanceError {
  const details = {
    status: failure.status,
    apiCode: failure.apiCode,
    requestId: failure.requestId,
    retryAfterSeconds: failure.retryAfterSeconds,
  };
  const said = scrub(failure.serviceMessage ?? "no message", apiKey);
  const reference = failure.requestId === undefined ? "" : ` (request id ${failure.requestId})`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";

  if (failure.apiCode === "DataInspectionFailed") {
    return new ApiError(
      "content-inspection",
      `Model Studio's content inspection refused the input or the answer${reference}: ${said} ` +
        "Remove or replace the flagged image, video or text and try again.",
      details,
      { cause },
    );
  }
  if (failure.status === 429) {
    const wait =
      failure.retryAfterSeconds === undefined ? "try again in a minute" : `try again in ${failure.retryAfterSeconds} s`;
    return new ApiError(
      "rate-limited",
      `Model Studio is rate limiting this account or model (${failure.apiCode ?? "429"})${tries}${reference}: ${said} ` +
        `Send fewer requests at once, or ${wait}.`,
      details,
      { cause },
    );
  }
  if (failure.status === 401 || failure.status === 403) {
    return new ApiError(
      "api",
      `Model Studio refused the API key (${failure.status} ${failure.apiCode ?? ""}`.trimEnd() +
        `)${reference}. Check that the key is current and belongs to the region of the endpoint: ` +
        "keys work only in the region that issued them, so a Beijing key fails on the international endpoint and the other way round.",
      details,
      { cause },
    );
  }
  return new ApiError(
    "api",
    `Model Studio answered ${failure.status} ${failure.apiCode ?? "(no error code)"}${tries}${reference}: ${said}`,
    details,
    { cause },
  );
}

/**
 * The cause to attach to our errors: the original's name and scrubbed message only. SDK errors carry
 * the response body and headers, and anything that prints a cause chain (util.inspect, loggers)
 * would print an echoed key with them.
 */
export function safeCause(error: unknown, apiKey: string): Error {
  if (error instanceof Error) {
    const safe = new Error(scrub(error.message, apiKey));
    safe.name = error.name;
    return safe;
  }
  return new Error(scrub(String(error), apiKey));
}

export function scrub(text: string, secret: string): string {
  return secret === "" ? text : text.split(secret).join("[redacted]");
}

export function isSdkApiError(error: unknown): error is APIError {
  return error instanceof APIError;
}
