import type { WireUsage } from "./chat-response-wire.js";

export interface CompletionUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** A finished answer. */
export interface Completion {
  answer: string;
  /** The thinking that came before the answer; empty when the model did not think. */
  reasoning: string;
  /** Undefined when the service reported none (a stream without `include_usage`). */
  usage: CompletionUsage | undefined;
  /** "stop", "length"...; undefined when the service gave none. */
  finishReason: string | undefined;
  /** The service stopped early (its own 180 s limit) and no continuation finished the answer. */
  partial: boolean;
  requestId?: string;
  model: string;
}

export function usageOf(wire: WireUsage | null | undefined): CompletionUsage | undefined {
  if (wire === null || wire === undefined) {
    return undefined;
  }
  const inputTokens = wire.prompt_tokens ?? 0;
  const outputTokens = wire.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: wire.total_tokens ?? inputTokens + outputTokens };
}

export function addUsage(
  first: CompletionUsage | undefined,
  second: CompletionUsage | undefined,
): CompletionUsage | undefined {
  if (first === undefined || second === undefined) {
    return first ?? second;
  }
  return {
    inputTokens: first.inputTokens + second.inputTokens,
    outputTokens: first.outputTokens + second.outputTokens,
    totalTokens: first.totalTokens + second.totalTokens,
  };
}
