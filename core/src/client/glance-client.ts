// Types only: the SDK is loaded with the first request (see loadSdk), so that a process which only
// estimates (the CLI's estimate and dry runs) does not pay its load time at start-up.
import type OpenAI from "openai";
import type { APIError } from "openai";
import type { Stream } from "openai/streaming";
import type { ZodType } from "zod";
import { defaultCatalogue } from "../catalogue/model-catalogue.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import {
  AbortedError,
  ConfigurationError,
  ConnectionError,
  GlanceError,
  ResponseValidationError,
  TimeoutError,
} from "../errors.js";
import { formatCount } from "../internal/format-quantity.js";
import type { ChatMessage, ChatRequestBody } from "../request/chat-request-body.js";
import type { RequestEstimate } from "../request/estimate-request.js";
import { type RequestBodyBytes, requestBodyBytes } from "../request/inline-data.js";
import { asJsonObjectBody, checkStructuredAnswers } from "../request/structured-output-format.js";
import {
  apiErrorOf,
  type FailureKind,
  failureKindOf,
  isRetryableKind,
  safeCause,
  scrub,
  serviceFailureOf,
} from "./api-error-mapping.js";
import type { WireChunk, WireCompletion } from "./chat-response-wire.js";
import { addUsage, type Completion, type CompletionUsage, usageOf } from "./completion.js";
import { resolveBaseUrl } from "./region-base-urls.js";
import { backoffMilliseconds, rateLimitBackoffMilliseconds } from "./retry-policy.js";
import { parseStructuredAnswer } from "./structured-answer.js";

export interface GlanceLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface GlanceClientOptions {
  apiKey: string | undefined;
  /** Where the key comes from, in words, for the message when it is missing ("the DASHSCOPE_API_KEY environment variable"). */
  apiKeySource?: string;
  /** `intl` (default), `us`, `cn` or `hk`: the region's endpoint (see regionBaseUrls). */
  region?: string;
  /** An explicit endpoint; wins over `region`. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Per attempt; for a stream, the longest silence between two chunks. Default 180 s, the service's own limit. */
  timeoutMilliseconds?: number;
  /**
   * Retries after the first attempt, on rate limits (429), 5xx and connection failures. Default 3. A 429
   * without Retry-After waits longer than the others (see retry-policy.ts).
   */
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
  /**
   * How many times to resend a partial answer (the service's 180 s limit) in partial mode to finish it.
   * Only non-streaming calls with thinking off can be continued: the service marks only non-streaming
   * answers partial, and partial mode works only without thinking (reference, Mar 26, 2026).
   */
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
  /**
   * The catalogue entry the body was built for (a built request has it); without it the client looks
   * the body's model up in the default catalogue. Says whether the model streams only and thinks.
   */
  model?: ModelEntry;
  /** The request's token estimate (a built request has it), compared with the service's counts in the debug log. */
  estimate?: RequestEstimate;
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
/**
 * The body goes to the SDK as a stream, which it sends as it is: the type is ours to say, and the
 * length, so the request is not sent chunked.
 */
function wireHeaders(wire: RequestBodyBytes): Record<string, string> {
  return { "content-type": "application/json", "content-length": String(wire.byteLength) };
}
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
  const baseUrl = resolveBaseUrl({ region: options.region, baseUrl: options.baseUrl });
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

  const sdkOptions = {
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
  } as const;
  let sdkLoading: Promise<OpenAI> | undefined;
  /** The SDK's APIError class, known once the SDK is loaded; an error can only be one after that. */
  let apiErrorClass: typeof APIError | undefined;
  const loadSdk = (): Promise<OpenAI> => {
    sdkLoading ??= import("openai").then((openai) => {
      apiErrorClass = openai.APIError;
      return new openai.default(sdkOptions);
    });
    return sdkLoading;
  };

  /*
   * What this client learned about models from the service's refusals, kept for the life of the client
   * (adapters create one per process): models that refused json_schema get json_object from then on,
   * and models that refused a non-streaming call are streamed.
   */
  const jsonSchemaRefused = new Set<string>();
  const streamingRequired = new Set<string>();
  /** The kind of each service failure this client raised, to adapt and resend without parsing messages. */
  const failureKinds = new WeakMap<GlanceError, FailureKind>();

  /** One request/response exchange, retried; partial continuation and adaptations happen around it. */
  async function exchange(
    body: ChatRequestBody,
    callbacks: CompleteOptions,
    request: SendableRequest,
  ): Promise<Completion> {
    const callerSignal = callbacks.signal;
    // Streamed to each attempt from the images' bytes: the SDK would otherwise make a JSON string of the
    // body, base64 images included, and undici a buffer of that string (inline-data.ts).
    const wire = requestBodyBytes(body);
    for (let attempt = 1; ; attempt += 1) {
      if (callerSignal?.aborted === true) {
        throw new AbortedError({ cause: callerSignal.reason });
      }
      const attemptControl = new AttemptControl(timeoutMilliseconds, callerSignal);
      const progress = { delivered: 0 };
      try {
        const completion =
          body.stream === true
            ? await streamOnce(body, wire, callbacks, attemptControl, progress)
            : await requestOnce(body, wire, attemptControl);
        logUsageAgainstEstimate(completion.usage, request.estimate);
        return completion;
      } catch (error) {
        const decision = decide(error, attemptControl, progress.delivered, attempt, body);
        if (decision.retryAfterMilliseconds === undefined) {
          throw decision.error;
        }
        logger?.warn(
          `${decision.error.message} Retrying in ${formatWait(decision.retryAfterMilliseconds)}${decision.why} (attempt ${attempt + 1} of ${maxRetries + 1}).`,
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
    body: ChatRequestBody,
  ): { error: GlanceError; retryAfterMilliseconds: number | undefined; why: string } {
    const final = (glanceError: GlanceError) => ({ error: glanceError, retryAfterMilliseconds: undefined, why: "" });
    const outputDelivered = delivered > 0;
    const cause = safeCause(error, apiKey);
    if (control.callerAborted) {
      return final(new AbortedError({ cause, outputDelivered }));
    }
    if (control.timedOut) {
      return final(new TimeoutError(timeoutMilliseconds, { cause, outputDelivered }));
    }
    if (error instanceof GlanceError) {
      return final(error);
    }
    const canRetry = attempt <= maxRetries;
    const failure =
      apiErrorClass !== undefined && error instanceof apiErrorClass ? serviceFailureOf(error, now()) : undefined;
    if (failure !== undefined) {
      // The service said what went wrong, even in the middle of a stream: classified by its code, so a
      // content refusal is final and never mistaken for a lost connection.
      const kind = failureKindOf(failure);
      const mapped = apiErrorOf(failure, kind, {
        apiKey,
        attempts: attempt,
        cause,
        model: body.model,
        outputDelivered,
      });
      failureKinds.set(mapped, kind);
      // Content already reached the caller: a retry would repeat it, so the failure is reported instead.
      if (outputDelivered || !canRetry || !isRetryableKind(kind)) {
        return final(mapped);
      }
      if (failure.retryAfterSeconds !== undefined) {
        return { error: mapped, retryAfterMilliseconds: failure.retryAfterSeconds * 1000, why: "" };
      }
      return kind === "rate-limited"
        ? {
            error: mapped,
            retryAfterMilliseconds: rateLimitBackoffMilliseconds(attempt - 1, random),
            why: " (no Retry-After came with it; backing off for the per-minute quota)",
          }
        : { error: mapped, retryAfterMilliseconds: backoffMilliseconds(attempt - 1, random), why: "" };
    }
    if (outputDelivered) {
      return final(
        new ConnectionError(
          `The answer stream from Model Studio broke after ${delivered} characters had arrived; the answer is incomplete. ` +
            `Run the request again. (${describeCause(error, apiKey)})`,
          { cause, outputDelivered },
        ),
      );
    }
    const connectionError = connectionErrorOf(error, attempt);
    return canRetry
      ? { error: connectionError, retryAfterMilliseconds: backoffMilliseconds(attempt - 1, random), why: "" }
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

  async function requestOnce(
    body: ChatRequestBody,
    wire: RequestBodyBytes,
    control: AttemptControl,
  ): Promise<Completion> {
    const sdk = await loadSdk();
    const { data, response } = await sdk
      .post<WireCompletion>("/chat/completions", {
        body: wire.stream(),
        headers: wireHeaders(wire),
        signal: control.signal,
      })
      .withResponse();
    const choice = data.choices?.[0];
    const requestId = response.headers.get("x-request-id") ?? data.id;
    return {
      answer: textOf(choice?.message?.content),
      reasoning: textOf(choice?.message?.reasoning_content),
      usage: usageOf(data.usage),
      finishReason: choice?.finish_reason ?? undefined,
      // Only non-streaming answers are cut at the service's 180 s limit and marked so (reference, Mar 26, 2026).
      partial: response.headers.get("x-dashscope-partialresponse") === "true",
      ...(requestId === undefined ? {} : { requestId }),
      model: typeof data.model === "string" ? data.model : body.model,
    };
  }

  async function streamOnce(
    body: ChatRequestBody,
    wire: RequestBodyBytes,
    callbacks: CompleteOptions,
    control: AttemptControl,
    progress: { delivered: number },
  ): Promise<Completion> {
    const sdk = await loadSdk();
    const { data: stream, response } = await sdk
      .post<Stream<WireChunk>>("/chat/completions", {
        body: wire.stream(),
        headers: wireHeaders(wire),
        signal: control.signal,
        stream: true,
      })
      .withResponse();
    let answer = "";
    let reasoning = "";
    let finishReason: string | undefined;
    let usage: Completion["usage"];
    let model = body.model;
    let chunkId: string | undefined;
    // An error event inside the stream (`data: {"error":…}`) makes the SDK throw here; decide() reads it.
    for await (const chunk of stream) {
      // Chunks already buffered keep coming after an abort; stop delivering them at once.
      if (control.signal.aborted) {
        throw control.signal.reason;
      }
      control.restartTimer();
      chunkId ??= chunk.id;
      model = typeof chunk.model === "string" ? chunk.model : model;
      if (chunk.usage !== undefined && chunk.usage !== null) {
        usage = usageOf(chunk.usage) ?? usage;
      }
      for (const choice of chunk.choices ?? []) {
        const reasoningDelta = textOf(choice.delta?.reasoning_content);
        if (reasoningDelta !== "") {
          reasoning += reasoningDelta;
          // Counted only when it reached the caller: text nobody saw can be asked for again.
          if (callbacks.onReasoning !== undefined) {
            progress.delivered += reasoningDelta.length;
            callbacks.onReasoning(reasoningDelta);
          }
        }
        const answerDelta = textOf(choice.delta?.content);
        if (answerDelta !== "") {
          answer += answerDelta;
          if (callbacks.onAnswer !== undefined) {
            progress.delivered += answerDelta.length;
            callbacks.onAnswer(answerDelta);
          }
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
      // A streamed answer is never marked partial: the 180 s cut applies to non-streaming calls only.
      partial: false,
      ...(requestId === undefined ? {} : { requestId }),
      model,
    };
  }

  /** The image tokens the service counted next to our estimate, so estimate drift shows in debug logs. */
  function logUsageAgainstEstimate(usage: CompletionUsage | undefined, estimate: RequestEstimate | undefined): void {
    if (logger?.debug === undefined || usage?.imageTokens === undefined || estimate === undefined) {
      return;
    }
    const images = estimate.inputs.filter((input) => input.kind === "image" || input.kind === "image-url");
    if (images.length === 0) {
      return;
    }
    const unknown = images.filter((input) => input.tokens === undefined).length;
    const estimated = images.reduce((sum, input) => sum + (input.tokens ?? 0), 0);
    const difference = estimated === 0 ? "" : ` (${formatSignedPercent((usage.imageTokens - estimated) / estimated)})`;
    const caveat = unknown === 0 ? "" : `; ${unknown} image(s) of unknown size are not in the estimate`;
    logger.debug(
      `Model Studio counted ${formatCount(usage.imageTokens)} image tokens; Glance estimated ${formatCount(estimated)}${difference}${caveat}.`,
    );
  }

  /** The model's catalogue entry: the request's own, else the default catalogue's, else unknown. */
  function modelOf(request: SendableRequest): ModelEntry | undefined {
    if (request.model !== undefined) {
      return request.model;
    }
    try {
      return defaultCatalogue.resolve(request.body.model);
    } catch {
      return undefined;
    }
  }

  /** The body as it must go out: streamed for streaming-only models, json_object where json_schema was refused. */
  function adaptedBody(body: ChatRequestBody, model: ModelEntry | undefined): ChatRequestBody {
    let adapted = body;
    if (adapted.stream !== true && (model?.streamingOnly === true || streamingRequired.has(adapted.model))) {
      adapted = { ...adapted, stream: true, stream_options: { include_usage: true } };
    }
    if (adapted.response_format?.type === "json_schema" && jsonSchemaRefused.has(adapted.model)) {
      adapted = asJsonObjectBody(adapted);
    }
    return adapted;
  }

  /** One exchange, resent once in the form the service asked for when it refused this one's form. */
  async function send(
    body: ChatRequestBody,
    callbacks: CompleteOptions,
    request: SendableRequest,
  ): Promise<Completion> {
    let current = body;
    for (;;) {
      try {
        return await exchange(current, callbacks, request);
      } catch (error) {
        const kind = error instanceof GlanceError ? failureKinds.get(error) : undefined;
        if (kind === "json-schema-refused" && current.response_format?.type === "json_schema") {
          jsonSchemaRefused.add(current.model);
          logger?.warn(
            `Model Studio refused json_schema structured output for ${current.model}; asking again in json_object mode with the schema in the prompt, as for every later request to this model.`,
          );
          current = asJsonObjectBody(current);
          continue;
        }
        if (kind === "streaming-required" && current.stream !== true) {
          streamingRequired.add(current.model);
          logger?.warn(
            `Model Studio answers ${current.model} only by streaming; asking again as a stream, as for every later request to this model.`,
          );
          current = { ...current, stream: true, stream_options: { include_usage: true } };
          continue;
        }
        throw error;
      }
    }
  }

  async function complete(request: SendableRequest, callbacks: CompleteOptions = {}): Promise<Completion> {
    const model = modelOf(request);
    const body = adaptedBody(request.body, model);
    let result = await send(body, callbacks, request);
    const continuations = callbacks.continuePartial ?? 0;
    if (!result.partial || continuations === 0) {
      return result;
    }
    const thinking = body.enable_thinking === true || model?.thinking === "always";
    if (body.stream === true || thinking) {
      logger?.warn(
        `Model Studio returned a partial answer (${result.answer.length} characters); it is not continued, because partial mode works only with thinking off.`,
      );
      return result;
    }
    for (let continuation = 0; result.partial && continuation < continuations; continuation += 1) {
      logger?.warn(
        `Model Studio returned a partial answer (${result.answer.length} characters); asking it to continue (${continuation + 1} of ${continuations}).`,
      );
      // Partial mode: the model continues the assistant text instead of starting over.
      const partialTurn: ChatMessage = { role: "assistant", content: result.answer, partial: true };
      const next = await send({ ...body, messages: [...body.messages, partialTurn] }, callbacks, request);
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
    const model = modelOf(request);
    if (model !== undefined) {
      // Before any call: a streaming-only model cannot give a structured answer at all.
      checkStructuredAnswers(model, request.body.model);
    }
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
    const second = await complete({ ...request, body: repairBody }, callbacks);
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

function formatSignedPercent(fraction: number): string {
  const percent = Math.round(fraction * 1000) / 10;
  return `${percent >= 0 ? "+" : ""}${percent}%`;
}

/** Text content; anything else (null, a number from a misbehaving proxy) counts as none. */
function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}
