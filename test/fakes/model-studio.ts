/*
 * A fake of Model Studio's OpenAI-compatible chat-completions endpoint: a real HTTP server on
 * 127.0.0.1 with an ephemeral port, so the real `openai` SDK talks to it over a real socket.
 * Tests script answers and faults in order; every request is recorded. Adapters (the GitHub Action,
 * the Slack bot) reuse it through `startFakeModelStudio` and the step helpers below.
 *
 * By default it behaves as the service of 2026 ("service-2026"): it refuses what the real service
 * refuses, with the real codes and messages, each rule citing its source where it is checked
 * (`refusalOf`). Sources are the ones collected in /work/briefs/model-facts.md; a message no source
 * quotes is marked INFERRED. `behaviour: "lenient"` turns those rules off, for a test that needs to
 * send what the service would refuse.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const fakeApiKey = "sk-fake-model-studio-key-0123456789";
export const chatCompletionsPath = "/compatible-mode/v1/chat/completions";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  rawBody: string;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** As observed on vision calls (model-facts §4): image, text and cached tokens; video tokens on video calls. */
  prompt_tokens_details?: {
    image_tokens?: number;
    video_tokens?: number;
    text_tokens?: number;
    cached_tokens?: number;
  };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** An error as the service writes it: `{"error":{"message","type","param","code"},"id","request_id"}`. */
export interface FakeError {
  status: number;
  code: string;
  message: string;
  /** The error's `type`; "invalid_request_error" when absent. */
  type?: string;
  headers?: Record<string, string>;
}

/** What one scripted request gets back. */
export type FakeStep =
  | {
      kind: "answer";
      answer: string;
      /** Thinking text, sent before the answer (as `reasoning_content`). */
      reasoning?: string;
      usage?: FakeUsage;
      finishReason?: string;
      /** Sets `x-dashscope-partialresponse: true`, as the service does after its own timeout. */
      partial?: boolean;
      /** Waits this long before answering (a slow model). */
      delayMilliseconds?: number;
      /**
       * Optional fields filled the odd ways OpenAI-compatible services and proxies have been seen to:
       * usage counts as strings or null, details that are not objects, no finish reason, a numeric model.
       */
      malformedOptionalFields?: boolean;
    }
  | ({ kind: "error" } & FakeError)
  /** The error with its JSON inside an SSE frame (`data: {"error":…}`) instead of a plain JSON body. */
  | ({ kind: "sse-error" } & FakeError)
  /** Streams this many chunks of the answer, then destroys the socket. */
  | { kind: "cut-stream"; answer: string; reasoning?: string; afterChunks: number }
  /** Streams this many chunks of the answer on a 200, then an error event (`data: {"error":…}`), then ends. */
  | { kind: "stream-error"; answer: string; afterChunks: number; error: Omit<FakeError, "status" | "headers"> }
  /** Answers 200 with a body that is not JSON. */
  | { kind: "malformed-json" };

/*
 * Error bodies of the real service (model-facts §4):
 * - content inspection, `code` and `type` both "data_inspection_failed", "Input data may contain
 *   inappropriate content." or "Output data…": https://github.com/camel-ai/owl/issues/432 (2025-03-28),
 *   https://github.com/666ghj/BettaFish/issues/570 (2026-02-02);
 * - rate limit, 429 `limit_requests` and no Retry-After header (the service usually sends none; issue 12
 *   point 4), message as in observed responses;
 * - quota, 429 `insufficient_quota`: https://github.com/hawkxtreme/mini-ai-1c/issues/97 (2026-03-26).
 */
const inspectionMessages = {
  input: "Input data may contain inappropriate content.",
  output: "Output data may contain inappropriate content.",
} as const;

export const fakeSteps = {
  answer(answer: string, extras: Omit<Extract<FakeStep, { kind: "answer" }>, "kind" | "answer"> = {}): FakeStep {
    return { kind: "answer", answer, ...extras };
  },
  /** A 429 as the service sends it today: `limit_requests`, and a Retry-After only when given here. */
  rateLimited(retryAfter?: string): FakeStep {
    return {
      kind: "error",
      status: 429,
      code: "limit_requests",
      type: "limit_requests",
      message:
        "You have exceeded your current request limit. For details, see: https://help.aliyun.com/zh/model-studio/error-code#rate-limit",
      ...(retryAfter === undefined ? {} : { headers: { "retry-after": retryAfter } }),
    };
  },
  /** A 429 with the native code some endpoints still echo (the vendor's status-code table). */
  legacyRateLimited(retryAfter?: string): FakeStep {
    return {
      kind: "error",
      status: 429,
      code: "Throttling.RateQuota",
      message: "Requests rate limit exceeded, please try again later.",
      ...(retryAfter === undefined ? {} : { headers: { "retry-after": retryAfter } }),
    };
  },
  quotaExceeded(): FakeStep {
    return {
      kind: "error",
      status: 429,
      code: "insufficient_quota",
      type: "insufficient_quota",
      message: "You exceeded your current quota, please check your plan and billing details.",
    };
  },
  serverError(status = 500): FakeStep {
    return { kind: "error", status, code: "InternalServerError", message: "An internal error has occured." };
  },
  /** A 400 refusal of the input by content inspection, with today's snake_case code. */
  contentInspection(which: "input" | "output" = "input"): FakeStep {
    return {
      kind: "error",
      status: 400,
      code: "data_inspection_failed",
      type: "data_inspection_failed",
      message: inspectionMessages[which],
    };
  },
  /** The same with the native spelling older endpoints used (`DataInspectionFailed`). */
  legacyContentInspection(): FakeStep {
    return { kind: "error", status: 400, code: "DataInspectionFailed", message: inspectionMessages.input };
  },
  /**
   * An answer refused by content inspection while it streams: some chunks on a 200, then the error
   * event. Seen in captured qwen3.7-plus streams and as the SDK message `400 data: {"error":{"code":
   * "data_inspection_failed",…}}` (model-facts §4, INFERRED from observed traffic: no vendor page).
   */
  streamRefused(answer: string, afterChunks: number): FakeStep {
    return {
      kind: "stream-error",
      answer,
      afterChunks,
      error: { code: "data_inspection_failed", type: "data_inspection_failed", message: inspectionMessages.output },
    };
  },
  /** A 400 content-inspection refusal whose body is an SSE frame, not plain JSON (issue 12 point 2). */
  sseContentInspection(): FakeStep {
    return {
      kind: "sse-error",
      status: 400,
      code: "data_inspection_failed",
      type: "data_inspection_failed",
      message: inspectionMessages.input,
    };
  },
  slow(delayMilliseconds: number, answer = "slow answer"): FakeStep {
    return { kind: "answer", answer, delayMilliseconds };
  },
  cutStream(answer: string, afterChunks: number, reasoning?: string): FakeStep {
    return { kind: "cut-stream", answer, afterChunks, ...(reasoning === undefined ? {} : { reasoning }) };
  },
  malformedJson(): FakeStep {
    return { kind: "malformed-json" };
  },
} as const;

export interface FakeModelStudio {
  /** Ends in /compatible-mode/v1, like the real endpoints. */
  baseUrl: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queues steps for the next requests, in order; unscripted requests get the default answer. */
  script(...steps: FakeStep[]): void;
  close(): Promise<void>;
}

export interface FakeModelStudioOptions {
  apiKey?: string;
  /** "service-2026" (default): refuses what the real service refuses. "lenient": accepts any well-formed body. */
  behaviour?: "service-2026" | "lenient";
  /** Model names the fake serves besides its built-in list (a private deployment, a model added later). */
  extraModels?: string[];
}

/*
 * The vision models the service offers in 2026 (model-facts §3b), plus the families of the reference
 * (Mar 26, 2026). Dated snapshots (`-YYYY-MM-DD`, `-MMDD`), `-latest` and the US `-us` names of these
 * are served too. Anything else gets the 404 of an unknown model.
 */
const servedModels = new Set([
  "qwen3.5-plus",
  "qwen3.5-flash",
  "qwen3.5-397b-a17b",
  "qwen3.5-122b-a10b",
  "qwen3.5-27b",
  "qwen3.5-35b-a3b",
  "qwen3.6-plus",
  "qwen3.6-flash",
  "qwen3.6-35b-a3b",
  "qwen3.6-27b",
  "qwen3.7-plus",
  "qwen3.7-flash",
  "qwen3.8-max",
  "qwen3.8-flash",
  "qwen3-vl-plus",
  "qwen3-vl-flash",
  "qwen3-vl-235b-a22b-instruct",
  "qwen3-vl-235b-a22b-thinking",
  "qwen3-vl-32b-instruct",
  "qwen3-vl-30b-a3b-instruct",
  "qwen3-vl-8b-instruct",
  "qwen3-vl-4b-instruct",
  "qwen3-vl-2b-instruct",
  "qwen3-vl-32b-thinking",
  "qwen3-vl-30b-a3b-thinking",
  "qwen3-vl-8b-thinking",
  "qwen3-vl-4b-thinking",
  "qwen3-vl-2b-thinking",
  "qwen-vl-max",
  "qwen-vl-plus",
  "qwen2.5-vl-72b-instruct",
  "qwen2.5-vl-32b-instruct",
  "qwen2.5-vl-7b-instruct",
  "qwen2.5-vl-3b-instruct",
  "qwen-vl-ocr",
  "qvq-max",
  "qvq-plus",
]);

function isServed(model: string, extraModels: readonly string[]): boolean {
  if (extraModels.includes(model)) {
    return true;
  }
  const base = model.replace(/-us$/, "").replace(/-(latest|\d{4}-\d{2}-\d{2}|\d{4})$/, "");
  return servedModels.has(base);
}

/** "The QVQ series supports only streaming output" (https://www.alibabacloud.com/help/en/model-studio/visual-reasoning). */
function isStreamingOnly(model: string): boolean {
  return model.startsWith("qvq-");
}

export async function startFakeModelStudio(options: FakeModelStudioOptions = {}): Promise<FakeModelStudio> {
  const apiKey = options.apiKey ?? fakeApiKey;
  const strict = (options.behaviour ?? "service-2026") === "service-2026";
  const extraModels = options.extraModels ?? [];
  const requests: RecordedRequest[] = [];
  const queue: FakeStep[] = [];

  const server = createServer((request, response) => {
    readBody(request)
      .then((rawBody) => handle(request, response, rawBody))
      .catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse, rawBody: string): Promise<void> {
    const body = parseJson(rawBody);
    requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body, rawBody });
    if (request.method !== "POST" || request.url !== chatCompletionsPath) {
      return sendError(response, { status: 404, code: "NotFound", message: `No route for ${request.url}` });
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      // The compatible endpoint's 401: "Incorrect API key provided." with the error-code link
      // (https://github.com/Aider-AI/aider/issues/4712, 2025-12-19); the code is the OpenAI-compatible
      // `invalid_api_key` (INFERRED: the native API says `InvalidApiKey`, "Invalid API-key provided.",
      // https://github.com/dinoanderson/qwen_cli_coder/issues/1, 2025-06-30).
      return sendError(response, {
        status: 401,
        code: "invalid_api_key",
        message:
          "Incorrect API key provided. For details, see: https://www.alibabacloud.com/help/en/model-studio/error-code#apikey-error",
      });
    }
    const shapeProblem = checkShape(body);
    if (shapeProblem !== undefined) {
      return sendError(response, { status: 400, code: "invalid_parameter_error", message: shapeProblem });
    }
    const chatBody = body as FakeChatBody;
    const refusal = strict ? refusalOf(chatBody, extraModels) : undefined;
    if (refusal !== undefined) {
      return sendError(response, refusal);
    }
    const step = queue.shift() ?? defaultStep(chatBody);
    if (step.kind === "error") {
      return sendError(response, step);
    }
    if (step.kind === "sse-error") {
      return sendSseError(response, step);
    }
    if (step.kind === "malformed-json") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"id": "chatcmpl-broken", "choices": [');
      return;
    }
    if (step.kind === "answer" && step.delayMilliseconds !== undefined) {
      await delay(step.delayMilliseconds, response);
      if (response.destroyed) {
        return;
      }
    }
    if (chatBody.stream === true) {
      return sendStream(response, chatBody, step);
    }
    if (step.kind === "stream-error") {
      // Without a stream, the same refusal is a plain 400 error body.
      return sendError(response, { status: 400, ...step.error });
    }
    if (step.kind === "cut-stream") {
      // A cut non-streaming answer: headers promise JSON, the socket dies halfway.
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"id": "chatcmpl-cut", ');
      response.socket?.destroy();
      return;
    }
    sendJson(response, chatBody, step);
  }

  function defaultStep(body: FakeChatBody): FakeStep {
    const counts = countMedia(body);
    return {
      kind: "answer",
      answer: `Fake Model Studio received ${counts.images} image(s), ${counts.videos} video file(s) and ${counts.frameLists} frame list(s).`,
      ...(body.enable_thinking === true ? { reasoning: "Counting the media parts first." } : {}),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/compatible-mode/v1`,
    apiKey,
    requests,
    script: (...steps) => {
      queue.push(...steps);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** The parts of a request body the fake looks at. */
export interface FakeChatBody {
  model: string;
  messages: Array<{ role: string; content: unknown; partial?: boolean }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  enable_thinking?: boolean;
  max_tokens?: unknown;
  response_format?: { type?: unknown };
}

/** What the service of 2026 refuses before answering, or undefined when it would answer. */
function refusalOf(body: FakeChatBody, extraModels: readonly string[]): FakeError | undefined {
  if (!isServed(body.model, extraModels)) {
    // An unknown model: 404 `model_not_found`, the OpenAI-compatible wording, as quoted for Model Studio
    // in https://github.com/AIDotNet/OpenDeepWiki/issues/308 (2025-12-18).
    return {
      status: 404,
      code: "model_not_found",
      message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
    };
  }
  if (body.max_tokens !== undefined) {
    // max_tokens "will be deprecated before May 30, 2026" in favour of max_completion_tokens
    // (https://www.alibabacloud.com/en/notice/model_studio_notice_of_changes_to_certain_model_fields_724,
    // zh notice Apr 12, 2026). Stricter than the service may be (its Nov 11, 2026 upgrade notice still
    // describes max_tokens on older models) so that any use is caught. Message INFERRED.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message:
        "max_tokens is no longer supported; use max_completion_tokens, which counts reasoning and answer tokens.",
    };
  }
  if (body.stream !== true && isStreamingOnly(body.model)) {
    // https://github.com/infiniflow/ragflow/issues/5912 (2025-03-11), the service's own message.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message: "This model only support stream mode, please enable the stream parameter to access the model. ",
    };
  }
  if (body.enable_thinking === true && body.messages.at(-1)?.partial === true) {
    // Partial mode (continuing an assistant prefix) works only with thinking off (reference, Mar 26, 2026). Message INFERRED.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message: "Partial mode is not supported when enable_thinking is true.",
    };
  }
  const format = body.response_format?.type;
  if (format !== undefined && body.enable_thinking === true) {
    // Structured output is "supported when deep thinking is disabled" (reference, Mar 26, 2026). Message INFERRED.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message: "response_format is not supported when enable_thinking is true.",
    };
  }
  const media = countMedia(body);
  if (format === "json_schema" && media.images + media.videos + media.frameLists > 0) {
    // The structured-output page lists only text models for json_schema, no vision model
    // (https://www.alibabacloud.com/help/en/model-studio/qwen-structured-output, Dec 15, 2025;
    // https://www.alibabacloud.com/help/ja/doc-detail/2862209.html, Feb 17, 2026). Message INFERRED.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message: "The response_format type json_schema is not supported for requests with images or videos.",
    };
  }
  if (format === "json_object" && !JSON.stringify(body.messages).toLowerCase().includes("json")) {
    // https://alibabacloud.com/help/en/model-studio/json-mode (Feb 04, 2026), the service's own message.
    return {
      status: 400,
      code: "invalid_parameter_error",
      message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
    };
  }
  return undefined;
}

export interface MediaCounts {
  images: number;
  videos: number;
  frameLists: number;
  frames: number;
  textCharacters: number;
}

/** Counts the media parts and text of a body; the default answer and usage are computed from it. */
export function countMedia(body: FakeChatBody): MediaCounts {
  const counts: MediaCounts = { images: 0, videos: 0, frameLists: 0, frames: 0, textCharacters: 0 };
  for (const message of body.messages) {
    if (typeof message.content === "string") {
      counts.textCharacters += message.content.length;
      continue;
    }
    if (!Array.isArray(message.content)) {
      continue;
    }
    for (const part of message.content as Array<{ type?: unknown; text?: unknown; video?: unknown }>) {
      if (part.type === "image_url") counts.images += 1;
      if (part.type === "video_url") counts.videos += 1;
      if (part.type === "video") {
        counts.frameLists += 1;
        counts.frames += Array.isArray(part.video) ? part.video.length : 0;
      }
      if (part.type === "text" && typeof part.text === "string") counts.textCharacters += part.text.length;
    }
  }
  return counts;
}

/** A made-up but deterministic usage: 4 characters a token, fixed costs per media part, with details. */
export function usageForBody(body: FakeChatBody, answer: string, reasoning = ""): FakeUsage {
  const counts = countMedia(body);
  const text_tokens = Math.ceil(counts.textCharacters / 4);
  const image_tokens = counts.images * 100;
  const video_tokens = counts.videos * 500 + counts.frames * 50;
  const prompt_tokens = text_tokens + image_tokens + video_tokens;
  const reasoning_tokens = Math.ceil(reasoning.length / 4);
  const completion_tokens = Math.ceil(answer.length / 4) + reasoning_tokens;
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens: prompt_tokens + completion_tokens,
    prompt_tokens_details: {
      text_tokens,
      ...(image_tokens > 0 ? { image_tokens } : {}),
      ...(video_tokens > 0 ? { video_tokens } : {}),
      cached_tokens: 0,
    },
    ...(reasoning_tokens > 0 ? { completion_tokens_details: { reasoning_tokens } } : {}),
  };
}

/** Usage filled the odd ways seen from proxies: counts as strings or null, details that are not objects. */
const malformedUsage = {
  prompt_tokens: "1200",
  completion_tokens: null,
  total_tokens: -1,
  prompt_tokens_details: "unavailable",
  completion_tokens_details: [3],
};

/** Splits text into stream deltas of a few characters, so a stream has several chunks. */
export function splitIntoDeltas(text: string, size = 8): string[] {
  const deltas: string[] = [];
  for (let start = 0; start < text.length; start += size) {
    deltas.push(text.slice(start, start + size));
  }
  return deltas;
}

function checkShape(body: unknown): string | undefined {
  if (body === undefined || body === null || typeof body !== "object") {
    return "The request body must be a JSON object.";
  }
  const candidate = body as { model?: unknown; messages?: unknown };
  if (typeof candidate.model !== "string" || candidate.model === "") {
    return "model is required.";
  }
  if (!Array.isArray(candidate.messages) || candidate.messages.length === 0) {
    return "messages must be a non-empty array.";
  }
  for (const message of candidate.messages as unknown[]) {
    const role = (message as { role?: unknown } | null)?.role;
    if (role !== "system" && role !== "user" && role !== "assistant") {
      return `Unknown message role ${String(role)}.`;
    }
  }
  return undefined;
}

function errorBody(error: FakeError): string {
  return JSON.stringify({
    error: { message: error.message, type: error.type ?? "invalid_request_error", param: null, code: error.code },
    id: "chatcmpl-fake-error",
    request_id: "fake-request-error",
  });
}

function sendError(response: ServerResponse, error: FakeError): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    "x-request-id": "fake-request-error",
    ...error.headers,
  });
  response.end(errorBody(error));
}

function sendSseError(response: ServerResponse, error: FakeError): void {
  response.writeHead(error.status, {
    "content-type": "text/event-stream",
    "x-request-id": "fake-request-error",
    ...error.headers,
  });
  response.end(`data: ${errorBody(error)}\n\n`);
}

function sendJson(response: ServerResponse, body: FakeChatBody, step: Extract<FakeStep, { kind: "answer" }>): void {
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": "fake-request-1" };
  if (step.partial === true) {
    headers["x-dashscope-partialresponse"] = "true";
  }
  response.writeHead(200, headers);
  const malformed = step.malformedOptionalFields === true;
  response.end(
    JSON.stringify({
      ...(malformed ? {} : { id: "chatcmpl-fake" }),
      object: "chat.completion",
      created: 1_700_000_000,
      model: malformed ? 7 : body.model,
      choices: [
        {
          index: 0,
          finish_reason: malformed ? null : (step.finishReason ?? (step.partial === true ? "length" : "stop")),
          message: {
            role: "assistant",
            content: step.answer,
            ...(malformed
              ? { reasoning_content: 42 }
              : step.reasoning === undefined
                ? {}
                : { reasoning_content: step.reasoning }),
          },
        },
      ],
      usage: malformed ? malformedUsage : (step.usage ?? usageForBody(body, step.answer, step.reasoning)),
    }),
  );
}

function sendStream(
  response: ServerResponse,
  body: FakeChatBody,
  step: Extract<FakeStep, { kind: "answer" } | { kind: "cut-stream" } | { kind: "stream-error" }>,
): void {
  // No x-dashscope-partialresponse on streams: the service marks only non-streaming answers cut at its
  // 180 s limit (reference, Mar 26, 2026).
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-request-id": "fake-request-stream",
  });
  const malformed = step.kind === "answer" && step.malformedOptionalFields === true;
  const chunk = (choices: unknown[], usage: unknown = null) =>
    `data: ${JSON.stringify({
      id: "chatcmpl-fake-stream",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: malformed ? 7 : body.model,
      choices,
      usage,
    })}\n\n`;
  const events: string[] = [];
  const reasoning = step.kind === "stream-error" ? "" : (step.reasoning ?? "");
  for (const delta of splitIntoDeltas(reasoning)) {
    events.push(chunk([{ index: 0, delta: { content: null, reasoning_content: delta }, finish_reason: null }]));
  }
  for (const delta of splitIntoDeltas(step.answer)) {
    events.push(chunk([{ index: 0, delta: { content: delta }, finish_reason: null }]));
  }
  if (step.kind === "cut-stream") {
    for (const event of events.slice(0, step.afterChunks)) {
      response.write(event);
    }
    // Give the client a moment to read what was sent, then break the connection.
    setTimeout(() => response.socket?.destroy(), 20);
    return;
  }
  if (step.kind === "stream-error") {
    for (const event of events.slice(0, step.afterChunks)) {
      response.write(event);
    }
    response.end(
      `data: ${JSON.stringify({ error: { ...step.error, type: step.error.type ?? step.error.code, param: null } })}\n\n`,
    );
    return;
  }
  const finishReason = step.finishReason ?? "stop";
  events.push(chunk([{ index: 0, delta: {}, finish_reason: malformed ? null : finishReason }]));
  if (malformed) {
    // The finish reason comes late and alone, and the usage chunk is unreadable.
    events.push(chunk([{ index: 0, delta: { content: null }, finish_reason: finishReason }], malformedUsage));
  } else if (body.stream_options?.include_usage === true) {
    events.push(chunk([], step.usage ?? usageForBody(body, step.answer, step.reasoning)));
  }
  events.push("data: [DONE]\n\n");
  for (const event of events) {
    response.write(event);
  }
  response.end();
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Waits, but stops early when the client gives up (so a timed-out test does not hold the server). */
function delay(milliseconds: number, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    response.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
