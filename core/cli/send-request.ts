import {
  type Completion,
  ConfigurationError,
  createGlanceClient,
  describeRequestForDisplay,
  estimateCost,
  regionNames,
  resolveBaseUrl,
} from "@glance/core";
import type { CliOptions } from "./cli-options.js";
import type { CliStreams } from "./command-table.js";
import { type PlannedRequest, type PreparedRequest, planRequest } from "./prepare-request.js";
import { estimateJson, formatMoney, renderEstimate, usageLine } from "./render-output.js";

/*
 * Asking the model, shared by the commands that ask (ask, ocr, locate): send the request, or show what
 * would be sent; then the answer's text, usage and cost.
 */

export interface SendOptions {
  /** Write the answer to stdout as it streams in (ask, ocr); locate shows its boxes only at the end. */
  streamAnswer: boolean;
}

/**
 * With --dry-run, or without a key, prints the plan, the estimate and the request instead of sending,
 * and returns true. The plan is read from the files' headers: nothing is decoded, prepared or sent.
 * `check` refuses, before anything is printed, what the command could not do with these files.
 */
export async function showPlanInstead(
  options: CliOptions,
  files: readonly string[],
  prompt: string,
  streams: CliStreams,
  check?: (planned: PlannedRequest) => void,
): Promise<boolean> {
  const withoutKey = options.apiKey === undefined;
  if (!options.dryRun && !withoutKey) return false;
  const planned = await planRequest(options, files, prompt);
  check?.(planned);
  printPlan(options, planned, streams);
  if (withoutKey && !options.dryRun) {
    streams.stderr(
      "\nNothing was sent: DASHSCOPE_API_KEY is not set. Create a key in the Model Studio console for your region, then:\n" +
        "  export DASHSCOPE_API_KEY=sk-...\n" +
        `  export DASHSCOPE_REGION=...     # your key's region: ${regionNames.join(", ")} (default intl)\n`,
    );
  }
  return true;
}

/** Sends the prepared request (showPlanInstead said to) and returns the completion. */
export async function sendRequest(
  options: CliOptions,
  prepared: PreparedRequest,
  streams: CliStreams,
  { streamAnswer }: SendOptions,
): Promise<Completion> {
  if (options.apiKey === undefined) {
    throw new ConfigurationError("apiKey", "DASHSCOPE_API_KEY is not set; nothing was sent.");
  }
  const client = createGlanceClient({
    apiKey: options.apiKey,
    apiKeySource: "the DASHSCOPE_API_KEY environment variable",
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    timeoutMilliseconds: options.timeoutSeconds * 1000,
    logger: { warn: (message) => streams.stderr(`glance: ${message}\n`) },
  });
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  try {
    const showThinking = options.thinking === true && !options.json;
    let thinkingStarted = false;
    let answerStarted = false;
    return await client.complete(prepared.request, {
      signal: abort.signal,
      continuePartial: 2,
      ...(options.json || !streamAnswer
        ? {}
        : {
            onReasoning: (text: string) => {
              if (!showThinking) return;
              if (!thinkingStarted) streams.stderr("--- thinking ---\n");
              thinkingStarted = true;
              streams.stderr(text);
            },
            onAnswer: (text: string) => {
              if (thinkingStarted && !answerStarted) streams.stderr("\n--- answer ---\n");
              answerStarted = true;
              streams.stdout(text);
            },
          }),
    });
  } finally {
    process.removeListener("SIGINT", stop);
  }
}

/** After a streamed answer (ask, ocr): its end, a warning when it is partial, and what it used. */
export function printAnswer(
  options: CliOptions,
  { request }: PreparedRequest,
  completion: Completion,
  streams: CliStreams,
): void {
  if (options.json) {
    streams.stdout(
      `${JSON.stringify({ answer: completion.answer, reasoning: completion.reasoning, usage: completion.usage ?? null, estimate: request.estimate, partial: completion.partial }, null, 2)}\n`,
    );
    return;
  }
  streams.stdout(completion.answer.endsWith("\n") ? "" : "\n");
  if (completion.partial) {
    streams.stderr(
      "glance: the service stopped before the answer was complete (its 180 s limit); the answer above is partial.\n",
    );
  }
  streams.stderr(`${usageLine(request, completion)}.\n`);
}

/** What the answer cost, from the service's own token counts, when a price table was given. */
export function printCost(
  options: CliOptions,
  { request, prices }: PreparedRequest,
  completion: Completion,
  streams: CliStreams,
): void {
  if (completion.usage === undefined || prices === undefined || options.json) return;
  const cost = estimateCost({
    model: request.modelName,
    family: request.model.family,
    inputTokens: completion.usage.inputTokens,
    outputTokens: completion.usage.outputTokens,
    thinking: request.thinking,
    prices,
  });
  if (cost.priced) streams.stderr(`Cost: ${formatMoney(cost.totalCost, cost.currency)}.\n`);
}

function printPlan(options: CliOptions, planned: PlannedRequest, streams: CliStreams): void {
  const body = describeRequestForDisplay(planned.request.displayBody);
  const endpoint = resolveBaseUrl({ region: options.region, baseUrl: options.baseUrl });
  if (options.json) {
    streams.stdout(`${JSON.stringify({ ...estimateJson(planned), endpoint, request: body }, null, 2)}\n`);
    return;
  }
  streams.stdout(
    `${renderEstimate(planned.request, planned.media, planned.files)}\n\nEndpoint: ${endpoint}\nRequest (base64 elided):\n${JSON.stringify(body, null, 2)}\n`,
  );
}
