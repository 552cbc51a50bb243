import OpenAI, { APIError } from "openai";
import type { Stream } from "openai/streaming";
import type { ZodType } from "zod";
import {
  AbortedError,
  ConfigurationError,
  ConnectionError,
  GlanceError,
  ResponseValidationError,
  TimeoutError,
} from "../errors.js";
import type { ChatMessage, ChatRequestBody } from "../request/chat-request-body.js";
import { apiErrorOf, safeCause, scrub, serviceFailureOf } from "./api-error-mapping.js";
import type { WireChunk, WireCompletion } from "./chat-response-wire.js";
import { addUsage, type Completion, usageOf } from "./completion.js";
import { defaultBaseUrl } from "./region-base-urls.js";
import { backoffMilliseconds, isRetryableStatus } from "./retry-policy.js";
import { parseStructuredAnswer } from "./structured-answer.js";

export interface GlanceLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface GlanceClientOptions {
  apiKey: string | undefined;
  /** Where the key comes from, in words, for the message when it is missing ("the DASHSCOPE_API_KEY environment variable"). */
  apiKeySource?: string;
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Per attempt; for a stream, the longest silence between two chunks. Default 180 s, the service's own limit. */
  timeoutMilliseconds?: number;
  /** Retries after the first attempt, on 429, 5xx and connection failures. Default 3. */
  maxRetries?: number;
  /** Waits between retries; should resolve early when `signal` aborts. */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the backoff jitter. */
  random?: () => number;
  now?: () => number;
  logger?: GlanceLogger;
  defaultModel?: string;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  onReasoning?: (text: string) => void;
  onAnswer?: (text: string) => void;
  /** How many times to resend a partial answer (service-side timeout) in partial mode to finish it. */
  continuePartial?: number;
}

export interface StructuredCompletion<T> {
  value: T;
  completion: Completion;
  /** True when the first answer was invalid and a repair request produced this one. */
  repaired: boolean;
}

/** Anything with a chat-completions body: a built ChatRequest qualifies. */
export interface SendableRequest {
  body: ChatRequestBody;
}

export interface GlanceClient {
  readonly baseUrl: string;
  readonly defaultModel: string | undefined;
  complete(request: SendableRequest, options?: CompleteOptions): Promise<Completion>;
  completeStructured<T>(
    request: SendableRequest,
    schema: ZodType<T>,
    options?: CompleteOptions,
  ): Promise<StructuredCompletion<T>>;
}

/*
 * Above the service's own 180 s limit for non-streaming answers: at 180 s the service still sends what it
 * has, marked partial, and an equal timeout of ours would throw that text away.
 */
const defaultTimeoutMilliseconds = 200_000;
const defaultMaxRetries = 3;
/** The SDK's own timeout must never fire first; ours is the one that knows the caller's intent. */
const sdkTimeoutMilliseconds = 2_000_000_000;

export function createGlanceClient(options: GlanceClientOptions): GlanceClient {
  const apiKey = options.apiKey?.trim() ?? "";
  if (apiKey === "") {
    const source = options.apiKeySource ?? "the apiKey option";
    throw new ConfigurationError(
      "apiKey",
      `No Model Studio API key is set. Set ${source} to a key from https://www.alibabacloud.com/help/en/model-studio/get-api-key; ` +
        "keys are per region, so take one from the region of your endpoint.",
    );
  }
  const baseUrl = options.baseUrl ?? defaultBaseUrl;
  const timeoutMilliseconds = options.timeoutMilliseconds ?? defaultTimeoutMilliseconds;
  const maxRetries = options.maxRetries ?? defaultMaxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ConfigurationError("maxRetries", `maxRetries is ${maxRetries}; it must be a whole number, 0 or more.`);
  }
  if (!(timeoutMilliseconds > 0)) {
    throw new ConfigurationError("timeout", `The timeout is ${timeoutMilliseconds} ms; it must be more than 0.`);
  }
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const logger = options.logger;

  const sdk = new OpenAI({
    apiKey,
    baseURL: baseUrl,
    // Retries are ours so that the policy (what is retried, how long we wait) is one tested place.
    maxRetries: 0,
    timeout: sdkTimeoutMilliseconds,
    // The SDK would otherwise read OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_LOG from the environment:
    // core takes its settings from the caller only, and must never log request bodies.
    organization: null,
    project: null,
    logLevel: "off",
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });

  /** One request/response exchange, retried; partial continuation happens around it. */
  async function exchange(body: ChatRequestBody, callbacks: CompleteOptions): Promise<Completion> {
    const callerSignal = callbacks.signal;
    for (let attempt = 1; ; attempt += 1) {
      if (callerSignal?.aborted === true) {
        throw new AbortedError({ cause: callerSignal.reason });
      }
      const attemptControl = new AttemptControl(timeoutMilliseconds, callerSignal);
      const progress = { delivered: 0 };
      try {
        return body.stream === true
          ? await streamOnce(body, callbacks, attemptControl, progress)
          : await requestOnce(body, attemptControl);
      } catch (error) {
        const decision = decide(error, attemptControl, progress.delivered, attempt);
        if (decision.retryAfterMilliseconds === undefined) {
          throw decision.error;
        }
        logger?.warn(
          `${decision.error.message} Retrying in ${formatWait(decision.retryAfterMilliseconds)} (attempt ${attempt + 1} of ${maxRetries + 1}).`,
        );
        await sleep(decision.retryAfterMilliseconds, callerSignal);
      } finally {
        attemptControl.dispose();
      }
    }
  }

  function decide(
    error: unknown,
    control: AttemptControl,
    delivered: number,
    attempt: number,
  ): { error: GlanceError; retryAfterMilliseconds: number | undefined } {
    const final = (glanceError: GlanceError) => ({ error: glanceError, retryAfterMilliseconds: undefined });
    if (control.callerAborted) {
      return final(new AbortedError({ cause: safeCause(error, apiKey) }));
    }
    if (control.timedOut) {
      return final(new TimeoutError(timeoutMilliseconds, { cause: safeCause(error, apiKey) }));
    }
    if (error instanceof GlanceError) {
      return final(error);
    }
    const canRetry = attempt <= maxRetries;
    if (delivered > 0) {
      // Content already reached the caller: a retry would repeat it, so the cut is reported instead.
      return final(
        new ConnectionError(
          `The answer stream from Model Studio broke after ${delivered} characters had arrived; the answer is incomplete. ` +
            `Run the request again. (${describeCause(error, apiKey)})`,
          { cause: safeCause(error, apiKey) },
        ),
      );
    }
    if (error instanceof APIError && error.status !== undefined) {
      const failure = serviceFailureOf(error, now());
      if (failure === undefined) {
        return final(connectionErrorOf(error, attempt));
      }
      const mapped = apiErrorOf(failure, apiKey, attempt, safeCause(error, apiKey));
      if (!canRetry || !isRetryableStatus(failure.status) || failure.apiCode === "DataInspectionFailed") {
        return final(mapped);
      }
      const wait =
        failure.retryAfterSeconds === undefined
          ? backoffMilliseconds(attempt - 1, random)
          : failure.retryAfterSeconds * 1000;
      return { error: mapped, retryAfterMilliseconds: wait };
    }
    const connectionError = connectionErrorOf(error, attempt);
    return canRetry
      ? { error: connectionError, retryAfterMilliseconds: backoffMilliseconds(attempt - 1, random) }
      : final(connectionError);
  }

  function connectionErrorOf(error: unknown, attempt: number): ConnectionError {
    const tries = attempt > 1 ? ` after ${attempt} attempts` : "";
    if (error instanceof SyntaxError) {
      return new ConnectionError(
        `Model Studio at ${baseUrl} sent an answer that is not valid JSON${tries} (${describeCause(error, apiKey)}). ` +
          "The service or a proxy in between may be failing; try again later.",
        { cause: safeCause(error, apiKey) },
      );
    }
    return new ConnectionError(
      `Could not get an answer from Model Studio at ${baseUrl}${tries}: ${describeCause(error, apiKey)}. ` +
        "Check the network connection and the endpoint URL.",
      { cause: safeCause(error, apiKey) },
    );
  }

  async function requestOnce(body: ChatRequestBody, control: AttemptControl): Promise<Completion> {
    const { data, response } = await sdk
      .post<WireCompletion>("/chat/completions", { body, signal: control.signal })
      .withResponse();
    const choice = data.choices?.[0];
    const requestId = response.headers.get("x-request-id") ?? data.id;
    return {
      answer: choice?.message?.content ?? "",
      reasoning: choice?.message?.reasoning_content ?? "",
      usage: usageOf(data.usage),
      finishReason: choice?.finish_reason ?? undefined,
      partial: response.headers.get("x-dashscope-partialresponse") === "true",
      ...(requestId === undefined ? {} : { requestId }),
      model: data.model ?? body.model,
    };
  }

  async function streamOnce(
    body: ChatRequestBody,
    callbacks: CompleteOptions,
    control: AttemptControl,
    progress: { delivered: number },
  ): Promise<Completion> {
    const { data: stream, response } = await sdk
      .post<Stream<WireChunk>>("/chat/completions", { body, signal: control.signal, stream: true })
      .withResponse();
    let answer = "";
    let reasoning = "";
    let finishReason: string | undefined;
    let usage: Completion["usage"];
    let model = body.model;
    let chunkId: string | undefined;
    for await (const chunk of stream) {
      // Chunks already buffered keep coming after an abort; stop delivering them at once.
      if (control.signal.aborted) {
        throw control.signal.reason;
      }
      control.restartTimer();
      chunkId ??= chunk.id;
      model = chunk.model ?? model;
      if (chunk.usage !== undefined && chunk.usage !== null) {
        usage = usageOf(chunk.usage);
      }
      for (const choice of chunk.choices ?? []) {
        const reasoningDelta = choice.delta?.reasoning_content;
        if (typeof reasoningDelta === "string" && reasoningDelta !== "") {
          reasoning += reasoningDelta;
          progress.delivered += reasoningDelta.length;
          callbacks.onReasoning?.(reasoningDelta);
        }
        const answerDelta = choice.delta?.content;
        if (typeof answerDelta === "string" && answerDelta !== "") {
          answer += answerDelta;
          progress.delivered += answerDelta.length;
          callbacks.onAnswer?.(answerDelta);
        }
        if (typeof choice.finish_reason === "string") {
          finishReason = choice.finish_reason;
        }
      }
    }
    if (finishReason === undefined) {
      // The connection closed cleanly but the model never said it was done: the answer is cut.
      // A plain error on purpose: decide() retries it when nothing reached the caller yet, and
      // reports an incomplete answer otherwise.
      throw new Error("the stream closed before the model said it had finished");
    }
    const requestId = response.headers.get("x-request-id") ?? chunkId;
    return {
      answer,
      reasoning,
      usage,
      finishReason,
      partial: response.headers.get("x-dashscope-partialresponse") === "true",
      ...(requestId === undefined ? {} : { requestId }),
      model,
    };
  }

  async function complete(request: SendableRequest, callbacks: CompleteOptions = {}): Promise<Completion> {
    let body = request.body;
    let result = await exchange(body, callbacks);
    const continuations = callbacks.continuePartial ?? 0;
    for (let continuation = 0; result.partial && continuation < continuations; continuation += 1) {
      logger?.warn(
        `Model Studio returned a partial answer (${result.answer.length} characters); asking it to continue (${continuation + 1} of ${continuations}).`,
      );
      // Partial mode: the model continues the assistant text instead of starting over.
      const partialTurn: ChatMessage = { role: "assistant", content: result.answer, partial: true };
      body = { ...request.body, messages: [...request.body.messages, partialTurn] };
      const next = await exchange(body, callbacks);
      result = {
        ...next,
        answer: result.answer + next.answer,
        reasoning: result.reasoning + next.reasoning,
        usage: addUsage(result.usage, next.usage),
      };
    }
    return result;
  }

  async function completeStructured<T>(
    request: SendableRequest,
    schema: ZodType<T>,
    callbacks: CompleteOptions = {},
  ): Promise<StructuredCompletion<T>> {
    const first = await complete(request, callbacks);
    const firstParse = parseStructuredAnswer(first.answer, schema);
    if (firstParse.ok) {
      return { value: firstParse.value, completion: first, repaired: false };
    }
    logger?.warn(`The structured answer was invalid (${firstParse.problem}); asking the model once to repair it.`);
    const repairBody: ChatRequestBody = {
      ...request.body,
      messages: [
        ...request.body.messages,
        { role: "assistant", content: first.answer },
        {
          role: "user",
          content:
            `Your previous reply could not be used: ${firstParse.problem}\n` +
            "Reply again with only the JSON object that matches the requested schema, and nothing else.",
        },
      ],
    };
    const second = await complete({ body: repairBody }, callbacks);
    const secondParse = parseStructuredAnswer(second.answer, schema);
    const combined: Completion = { ...second, usage: addUsage(first.usage, second.usage) };
    if (secondParse.ok) {
      return { value: secondParse.value, completion: combined, repaired: true };
    }
    throw new ResponseValidationError(
      `The model's answer did not match the requested structure, even after one repair request: ${secondParse.problem}`,
      second.answer,
    );
  }

  return { baseUrl, defaultModel: options.defaultModel, complete, completeStructured };
}

/**
 * One attempt's abort signal: fires when the caller aborts or when the attempt stays silent longer
 * than the timeout. It records which of the two happened, because both look alike to the SDK.
 */
class AttemptControl {
  readonly #controller = new AbortController();
  readonly #timeoutMilliseconds: number;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = () => {
    this.callerAborted = true;
    this.#controller.abort();
  };
  #timer: ReturnType<typeof setTimeout> | undefined;
  timedOut = false;
  callerAborted = false;

  constructor(timeoutMilliseconds: number, callerSignal: AbortSignal | undefined) {
    this.#timeoutMilliseconds = timeoutMilliseconds;
    this.#callerSignal = callerSignal;
    callerSignal?.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.restartTimer();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  restartTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#controller.abort();
    }, this.#timeoutMilliseconds);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
  }
}

function defaultSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

function describeCause(error: unknown, apiKey: string): string {
  // Trailing full stops are dropped because the cause is quoted inside a sentence of ours.
  let text = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, "");
  if (error instanceof Error && error.cause instanceof Error && error.cause.message !== "") {
    text += ` (${error.cause.message})`;
  }
  return scrub(text, apiKey);
}

function formatWait(milliseconds: number): string {
  return milliseconds >= 1000 ? `${Math.round(milliseconds / 100) / 10} s` : `${milliseconds} ms`;
}
