import type { ZodType } from "zod";
import type { ModelArgument } from "../catalogue/model-argument.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import type { ChatRequestBody } from "./chat-request-body.js";
import type { VisualInput } from "./visual-input.js";

/** One earlier turn of a conversation, text only. */
export interface ConversationTurn {
  role: "user" | "assistant";
  text: string;
}

export interface StructuredOutputOption {
  /** The shape the answer must have. */
  schema: ZodType;
  /** The schema's name in the request; "answer" when absent. */
  name?: string;
  /** Ask the service to follow the schema strictly (json_schema mode only); true when absent. */
  strict?: boolean;
}

export interface ChatRequestInput {
  model: ModelArgument;
  prompt: string;
  system?: string;
  history?: ConversationTurn[];
  /** Images, videos and frame lists, in the order the model should see them (before the prompt). */
  inputs?: VisualInput[];
  /** `max_pixels` for every image part; the model's default when absent. */
  maxPixels?: number;
  /** `vl_high_resolution_images`: the model's fixed high pixel cap for every image. */
  highResolution?: boolean;
  /** `enable_thinking`; the model's own default when absent. */
  thinking?: boolean;
  thinkingBudget?: number;
  /** Stream the answer. Streaming-only models (QVQ) are always streamed, whatever this says. */
  stream?: boolean;
  /** `max_completion_tokens`: thinking and answer together, so size it for both when the model thinks. */
  maxOutputTokens?: number;
  temperature?: number;
  structuredOutput?: StructuredOutputOption;
  /** Overrides the model's input token limit (for a deployment with another context size). */
  maxInputTokens?: number;
}

/** A request ready to send, with what was decided while building it. */
export interface ChatRequest {
  body: ChatRequestBody;
  model: ModelEntry;
  /** The name that goes into the body. */
  modelName: string;
  inputs: VisualInput[];
  /** Every text the request carries (system, history, prompt, a JSON instruction), for the text token count. */
  texts: string[];
  /** Whether the model will think, after defaults and structured output were applied. */
  thinking: boolean;
  maxPixels: number | undefined;
  highResolution: boolean;
  maxInputTokens: number;
  structuredOutput: StructuredOutputOption | undefined;
  /** Decisions taken for the caller, for the plan ("thinking turned off for structured output"). */
  notes: string[];
}
