import type { WireUsage } from "./chat-response-wire.js";

export interface CompletionUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** From `prompt_tokens_details`, when the service reported them. */
  imageTokens?: number;
  videoTokens?: number;
  textTokens?: number;
  /** Input tokens served from the service's context cache. */
  cachedTokens?: number;
  /** From `completion_tokens_details`: the thinking part of `outputTokens`. */
  reasoningTokens?: number;
}

/** A finished answer. */
export interface Completion {
  answer: string;
  /** The thinking that came before the answer; empty when the model did not think. */
  reasoning: string;
  /** Undefined when the service reported none (a stream without `include_usage`), or nothing readable. */
  usage: CompletionUsage | undefined;
  /** "stop", "length"...; undefined when the service gave none. */
  finishReason: string | undefined;
  /**
   * The service stopped early (its own 180 s limit for non-streaming calls) and no continuation finished
   * the answer. Always false for streamed answers: the service marks only non-streaming ones.
   */
  partial: boolean;
  requestId?: string;
  model: string;
}

type DetailName = "imageTokens" | "videoTokens" | "textTokens" | "cachedTokens" | "reasoningTokens";

const promptDetails: ReadonlyArray<[string, DetailName]> = [
  ["image_tokens", "imageTokens"],
  ["video_tokens", "videoTokens"],
  ["text_tokens", "textTokens"],
  ["cached_tokens", "cachedTokens"],
];

/** Reads the usage leniently: a count that is not a whole number of 0 or more is treated as absent. */
export function usageOf(wire: WireUsage | null | undefined): CompletionUsage | undefined {
  if (wire === null || wire === undefined || typeof wire !== "object") {
    return undefined;
  }
  const input = countOf(wire.prompt_tokens);
  const output = countOf(wire.completion_tokens);
  if (input === undefined && output === undefined) {
    return undefined;
  }
  const inputTokens = input ?? 0;
  const outputTokens = output ?? 0;
  const usage: CompletionUsage = {
    inputTokens,
    outputTokens,
    totalTokens: countOf(wire.total_tokens) ?? inputTokens + outputTokens,
  };
  const prompt = recordOf(wire.prompt_tokens_details);
  for (const [wireName, name] of promptDetails) {
    const count = countOf(prompt?.[wireName]);
    if (count !== undefined) {
      usage[name] = count;
    }
  }
  const reasoning = countOf(recordOf(wire.completion_tokens_details)?.reasoning_tokens);
  if (reasoning !== undefined) {
    usage.reasoningTokens = reasoning;
  }
  return usage;
}

export function addUsage(
  first: CompletionUsage | undefined,
  second: CompletionUsage | undefined,
): CompletionUsage | undefined {
  if (first === undefined || second === undefined) {
    return first ?? second;
  }
  const sum: CompletionUsage = {
    inputTokens: first.inputTokens + second.inputTokens,
    outputTokens: first.outputTokens + second.outputTokens,
    totalTokens: first.totalTokens + second.totalTokens,
  };
  for (const name of ["imageTokens", "videoTokens", "textTokens", "cachedTokens", "reasoningTokens"] as const) {
    const firstCount = first[name];
    const secondCount = second[name];
    if (firstCount !== undefined || secondCount !== undefined) {
      sum[name] = (firstCount ?? 0) + (secondCount ?? 0);
    }
  }
  return sum;
}

function countOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function recordOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
