import type { APIError } from "openai";
import { ApiError, type GlanceError } from "../errors.js";
import { retryAfterSeconds } from "./retry-policy.js";

/*
 * What the service said when it refused, and what kind of refusal that is. Model Studio's
 * OpenAI-compatible endpoint answers with snake_case codes; older native spellings still appear in
 * its `code` field. Sources (model-facts §4):
 * - Content inspection: `{"error":{"code":"data_inspection_failed","type":"data_inspection_failed",
 *   "message":"Input data may contain inappropriate content."}}`, or "Output data may contain…" for the
 *   answer (https://github.com/camel-ai/owl/issues/432, 2025-03-28; https://github.com/666ghj/BettaFish/issues/570,
 *   2026-02-02). Native: `DataInspectionFailed`, also `InternalError.Algo.DataInspectionFailed`
 *   (https://www.alibabacloud.com/help/en/model-studio/developer-reference/error-code, Jun 23, 2026).
 * - Rate limits: `limit_requests` (429, observed responses), native `Throttling`, `Throttling.RateQuota`,
 *   `LimitRequests` (the vendor's status-code table as copied in public code).
 * - Quota and billing, not worth a retry: `insufficient_quota` (429,
 *   https://github.com/hawkxtreme/mini-ai-1c/issues/97, 2026-03-26), `Throttling.AllocationQuota` with
 *   "Free allocated quota exceeded", `PrepaidBillOverdue`, `PostpaidBillOverdue`, `CommodityNotPurchased`,
 *   `Arrearage` (vendor error-code page above). Some third-party classifiers read `insufficient_quota`
 *   as a per-minute limit: the message decides between the two.
 * - Streaming-only models refuse non-streaming calls with 400 `invalid_parameter_error` "This model only
 *   support stream mode, please enable the stream parameter to access the model."
 *   (https://github.com/infiniflow/ragflow/issues/5912, 2025-03-11); "current user api does not support
 *   http call" is the older wording (https://www.alibabacloud.com/help/en/model-studio/error-code, May 20, 2025).
 * An error can also come inside a stream that began with 200 (`data: {"error":…}` after content), and a
 * 400 can carry its error in an SSE frame instead of plain JSON; both are read here by their code.
 */

/** What the service said, read from an SDK error. */
export interface ServiceFailure {
  /** The HTTP status; 200 for an error event inside a stream that had started normally. */
  status: number;
  apiCode: string | undefined;
  serviceMessage: string | undefined;
  requestId: string | undefined;
  retryAfterSeconds: number | undefined;
  /** The error arrived as an event of a stream that had begun with 200. */
  inStream: boolean;
}

export type FailureKind =
  | "content-inspection"
  | "rate-limited"
  | "quota-exceeded"
  | "authentication"
  | "model-not-found"
  /** A 400 about `response_format` or `json_schema`: the model does not take json_schema. */
  | "json-schema-refused"
  /** A 400 saying the model answers only by streaming. */
  | "streaming-required"
  | "server"
  | "other";

interface ErrorBody {
  code?: unknown;
  type?: unknown;
  message?: unknown;
  request_id?: unknown;
}

export function serviceFailureOf(error: APIError, nowMilliseconds: number): ServiceFailure | undefined {
  const inStream = error.status === undefined;
  let body = objectOf(error.error) as ErrorBody | undefined;
  if (inStream && (body === undefined || (body.code === undefined && body.message === undefined))) {
    // No status and no error body: the connection failed, the service said nothing.
    return undefined;
  }
  body ??= errorInSseFrame(error.message);
  const apiCode =
    stringOf(body?.code) ?? stringOf(body?.type) ?? (typeof error.code === "string" ? error.code : undefined);
  return {
    status: error.status ?? 200,
    apiCode,
    serviceMessage: stringOf(body?.message),
    requestId: error.requestID ?? stringOf(body?.request_id) ?? undefined,
    retryAfterSeconds: retryAfterSeconds(error.headers?.get("retry-after"), nowMilliseconds),
    inStream,
  };
}

export function failureKindOf(failure: ServiceFailure): FailureKind {
  const code = normalized(failure.apiCode);
  const message = failure.serviceMessage ?? "";
  if (code.includes("datainspectionfailed")) {
    return "content-inspection";
  }
  if (quotaCodes.has(code) || (code === "throttlingallocationquota" && /free allocated quota/i.test(message))) {
    const soundsLikeRate = /rate limit|too many requests|per minute|try again later/i.test(message);
    return code === "insufficientquota" && soundsLikeRate ? "rate-limited" : "quota-exceeded";
  }
  if (failure.status === 429 || rateCodes.has(code) || code.startsWith("throttling")) {
    return "rate-limited";
  }
  if (failure.status === 401 || failure.status === 403 || code === "invalidapikey") {
    return "authentication";
  }
  if (failure.status === 404 || code === "modelnotfound") {
    return "model-not-found";
  }
  if (failure.status === 400 && /only supports? stream mode|does not support http call/i.test(message)) {
    return "streaming-required";
  }
  if (failure.status === 400 && /response_format|json_schema/i.test(message)) {
    return "json-schema-refused";
  }
  return failure.status >= 500 ? "server" : "other";
}

/** Only a rate limit and a failing server are worth another try; everything else fails the same way again. */
export function isRetryableKind(kind: FailureKind): boolean {
  return kind === "rate-limited" || kind === "server";
}

const quotaCodes = new Set([
  "insufficientquota",
  "prepaidbilloverdue",
  "postpaidbilloverdue",
  "commoditynotpurchased",
  "arrearage",
]);
const rateCodes = new Set(["limitrequests", "throttling"]);

export interface ApiErrorContext {
  apiKey: string;
  attempts: number;
  cause: unknown;
  /** The model the request named, for the 404 message. */
  model: string;
  outputDelivered: boolean;
}

/**
 * One readable error per kind of failure. `apiKey` is scrubbed from everything the service said,
 * because some gateways echo the credential back in their messages.
 */
export function apiErrorOf(failure: ServiceFailure, kind: FailureKind, context: ApiErrorContext): GlanceError {
  const details = {
    status: failure.status,
    apiCode: failure.apiCode,
    requestId: failure.requestId,
    retryAfterSeconds: failure.retryAfterSeconds,
  };
  const options = { cause: context.cause, outputDelivered: context.outputDelivered };
  const said = scrub(failure.serviceMessage ?? "no message", context.apiKey).trim();
  const reference = failure.requestId === undefined ? "" : ` (request id ${failure.requestId})`;
  const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : "";
  const code = failure.apiCode ?? String(failure.status);

  switch (kind) {
    case "content-inspection": {
      const output = /^\s*output/i.test(said);
      const input = /^\s*input/i.test(said);
      const what = output ? "the model's answer" : input ? "the input" : "the input or the answer";
      const fix = output
        ? "No part of that answer may be used; ask differently or send other images and try again."
        : "Remove or replace the flagged image, video or text and try again.";
      return new ApiError(
        "content-inspection",
        `Model Studio's content inspection refused ${what} (${code})${reference}: ${said} ${fix}`,
        details,
        options,
      );
    }
    case "rate-limited": {
      const wait =
        failure.retryAfterSeconds === undefined
          ? "try again in a minute"
          : `try again in ${failure.retryAfterSeconds} s`;
      return new ApiError(
        "rate-limited",
        `Model Studio is rate limiting this account or model (${code})${tries}${reference}: ${said} ` +
          `Send fewer requests at once, or ${wait}.`,
        details,
        options,
      );
    }
    case "quota-exceeded":
      return new ApiError(
        "quota-exceeded",
        `Model Studio refused the request because of the account's quota or billing (${code})${reference}: ${said} ` +
          "Check the quota and billing of the Model Studio account in its console; trying again will not help until that is fixed.",
        details,
        options,
      );
    case "authentication":
      return new ApiError(
        "api",
        `Model Studio refused the API key (${failure.status} ${failure.apiCode ?? ""}`.trimEnd() +
          `)${reference}. Check that the key is current and belongs to the region of the endpoint: ` +
          "keys work only in the region that issued them, so a Beijing key fails on the international endpoint and the other way round.",
        details,
        options,
      );
    case "model-not-found":
      return new ApiError(
        "api",
        `Model Studio does not offer the model "${context.model}" at this endpoint (${failure.status} ${code})${reference}: ${said} ` +
          "Check the model name, and that the model is available in the region of the endpoint.",
        details,
        options,
      );
    default: {
      const where = failure.inStream ? " in the middle of its answer" : "";
      return new ApiError(
        "api",
        `Model Studio answered ${failure.status} ${failure.apiCode ?? "(no error code)"}${where}${tries}${reference}: ${said}`,
        details,
        options,
      );
    }
  }
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

/** An error body sent as an SSE frame (`data: {"error":…}`), which the SDK leaves as plain text. */
function errorInSseFrame(text: string): ErrorBody | undefined {
  const start = text.indexOf("data:");
  if (start < 0) {
    return undefined;
  }
  const line =
    text
      .slice(start + "data:".length)
      .split("\n")[0]
      ?.trim() ?? "";
  try {
    const parsed = objectOf(JSON.parse(line));
    const inner = objectOf(parsed?.error);
    return (inner ?? parsed) as ErrorBody | undefined;
  } catch {
    return undefined;
  }
}

function normalized(code: string | undefined): string {
  return (code ?? "").toLowerCase().replace(/[^a-z]/g, "");
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
