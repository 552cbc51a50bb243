/*
 * A fake of Model Studio's OpenAI-compatible chat-completions endpoint: a real HTTP server on
 * 127.0.0.1 with an ephemeral port, so the real `openai` SDK talks to it over a real socket.
 * Tests script answers and faults in order; every request is recorded. Adapters (the GitHub Action,
 * the Slack bot) reuse it through `startFakeModelStudio` and the step helpers below.
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
    }
  | { kind: "error"; status: number; code: string; message: string; headers?: Record<string, string> }
  /** Streams this many chunks of the answer, then destroys the socket. */
  | { kind: "cut-stream"; answer: string; reasoning?: string; afterChunks: number }
  /** Answers 200 with a body that is not JSON. */
  | { kind: "malformed-json" };

export const fakeSteps = {
  answer(answer: string, extras: Omit<Extract<FakeStep, { kind: "answer" }>, "kind" | "answer"> = {}): FakeStep {
    return { kind: "answer", answer, ...extras };
  },
  rateLimited(retryAfter?: string): FakeStep {
    return {
      kind: "error",
      status: 429,
      code: "Throttling.RateQuota",
      message: "Requests rate limit exceeded, please try again later.",
      ...(retryAfter === undefined ? {} : { headers: { "retry-after": retryAfter } }),
    };
  },
  serverError(status = 500): FakeStep {
    return { kind: "error", status, code: "InternalServerError", message: "An internal error has occured." };
  },
  contentInspection(): FakeStep {
    return {
      kind: "error",
      status: 400,
      code: "DataInspectionFailed",
      message: "Input data may contain inappropriate content.",
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
}

export async function startFakeModelStudio(options: FakeModelStudioOptions = {}): Promise<FakeModelStudio> {
  const apiKey = options.apiKey ?? fakeApiKey;
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
      return sendError(response, {
        status: 401,
        code: "InvalidApiKey",
        message: "Invalid API-key provided.",
      });
    }
    const shapeProblem = checkShape(body);
    if (shapeProblem !== undefined) {
      return sendError(response, { status: 400, code: "InvalidParameter", message: shapeProblem });
    }
    const chatBody = body as FakeChatBody;
    const step = queue.shift() ?? defaultStep(chatBody);
    if (step.kind === "error") {
      return sendError(response, step);
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

/** A made-up but deterministic usage: 4 characters a token, fixed costs per media part. */
export function usageForBody(body: FakeChatBody, answer: string, reasoning = ""): FakeUsage {
  const counts = countMedia(body);
  const prompt_tokens =
    Math.ceil(counts.textCharacters / 4) + counts.images * 100 + counts.videos * 500 + counts.frames * 50;
  const completion_tokens = Math.ceil((answer.length + reasoning.length) / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

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

function sendError(
  response: ServerResponse,
  error: { status: number; code: string; message: string; headers?: Record<string, string> },
): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    "x-request-id": "fake-request-error",
    ...error.headers,
  });
  response.end(
    JSON.stringify({
      error: { message: error.message, type: "invalid_request_error", code: error.code, param: null },
      request_id: "fake-request-error",
    }),
  );
}

function sendJson(response: ServerResponse, body: FakeChatBody, step: Extract<FakeStep, { kind: "answer" }>): void {
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": "fake-request-1" };
  if (step.partial === true) {
    headers["x-dashscope-partialresponse"] = "true";
  }
  response.writeHead(200, headers);
  response.end(
    JSON.stringify({
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [
        {
          index: 0,
          finish_reason: step.finishReason ?? (step.partial === true ? "length" : "stop"),
          message: {
            role: "assistant",
            content: step.answer,
            ...(step.reasoning === undefined ? {} : { reasoning_content: step.reasoning }),
          },
        },
      ],
      usage: step.usage ?? usageForBody(body, step.answer, step.reasoning),
    }),
  );
}

function sendStream(
  response: ServerResponse,
  body: FakeChatBody,
  step: Extract<FakeStep, { kind: "answer" } | { kind: "cut-stream" }>,
): void {
  const headers: Record<string, string> = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-request-id": "fake-request-stream",
  };
  if (step.kind === "answer" && step.partial === true) {
    headers["x-dashscope-partialresponse"] = "true";
  }
  response.writeHead(200, headers);
  const chunk = (choices: unknown[], usage: FakeUsage | null = null) =>
    `data: ${JSON.stringify({
      id: "chatcmpl-fake-stream",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: body.model,
      choices,
      usage,
    })}\n\n`;
  const events: string[] = [];
  for (const delta of splitIntoDeltas(step.reasoning ?? "")) {
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
  const finishReason = step.finishReason ?? "stop";
  events.push(chunk([{ index: 0, delta: {}, finish_reason: finishReason }]));
  if (body.stream_options?.include_usage === true) {
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
