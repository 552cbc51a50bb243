import { z } from "zod";
import { type ModelArgument, modelEntryOf } from "../catalogue/model-argument.js";
import type { ModelEntry } from "../catalogue/model-entry.js";
import { defaultModel } from "../catalogue/model-families.js";
import { ConfigurationError } from "../errors.js";
import type { StructuredOutputOption } from "./chat-request.js";
import type { ChatMessage, ChatRequestBody, ResponseFormat } from "./chat-request-body.js";

/*
 * How a request asks for a JSON answer. Two modes of the service, both only with thinking disabled
 * (the reference: structured output is "supported when deep thinking is disabled"):
 * - json_schema: `{"type":"json_schema","json_schema":{"name","schema","strict"}}`; the service holds the
 *   answer to the schema. https://www.alibabacloud.com/help/en/model-studio/qwen-structured-output (Feb 18, 2026).
 * - json_object: `{"type":"json_object"}`; the service only promises JSON, and refuses the request unless
 *   the messages contain the word "JSON": "'messages' must contain the word 'json' in some form, to use
 *   'response_format' of type 'json_object'." https://alibabacloud.com/help/en/model-studio/json-mode
 *   (Feb 04, 2026). So the schema is written into the prompt, which also carries that word.
 * Whatever the mode, the answer is validated by core afterwards (models do not always comply).
 */

/** The words that tell the model the shape in json_object mode; they always contain "JSON". */
export function jsonObjectInstruction(schema: Record<string, unknown>): string {
  return (
    "Reply with one JSON object only, with no text before or after it. " +
    `The object must match this JSON Schema:\n${JSON.stringify(schema)}`
  );
}

/** The response format and, for json_object, the instruction to add to the messages. */
export function responseFormatOf(
  mode: "json-schema" | "json-object",
  option: StructuredOutputOption,
): { responseFormat: ResponseFormat; instruction: string | undefined } {
  const schema = jsonSchemaOf(option.schema);
  if (mode === "json-schema") {
    return {
      responseFormat: {
        type: "json_schema",
        json_schema: { name: option.name ?? "answer", schema, strict: option.strict ?? true },
      },
      instruction: undefined,
    };
  }
  return { responseFormat: { type: "json_object" }, instruction: jsonObjectInstruction(schema) };
}

/** The instruction goes into the system message (one is added when there is none). */
export function withInstruction(messages: readonly ChatMessage[], instruction: string): ChatMessage[] {
  const [first, ...rest] = messages;
  if (first?.role === "system") {
    return [{ role: "system", content: `${first.content}\n\n${instruction}` }, ...rest];
  }
  return [{ role: "system", content: instruction }, ...messages];
}

/**
 * The same request in json_object mode, for when the service refused json_schema: the schema moves from
 * the response format into the prompt. A body without json_schema is returned as it is.
 */
export function asJsonObjectBody(body: ChatRequestBody): ChatRequestBody {
  const format = body.response_format;
  if (format?.type !== "json_schema") {
    return body;
  }
  return {
    ...body,
    messages: withInstruction(body.messages, jsonObjectInstruction(format.json_schema.schema)),
    response_format: { type: "json_object" },
  };
}

/**
 * Refuses, before any call, a model that cannot give a structured answer at all: one that streams only
 * (QVQ: "The QVQ series supports only streaming output", thinking-only, and no structured output;
 * https://www.alibabacloud.com/help/en/model-studio/visual-reasoning, no date shown). A thinking-only
 * model that is not streaming-only may still answer JSON that the schema in the prompt describes.
 */
export function checkStructuredAnswers(model: ModelArgument, modelName?: string): void {
  const entry = modelEntryOf(model);
  if (entry.streamingOnly) {
    const name = modelName ?? (typeof model === "string" ? model : entry.family);
    throw new ConfigurationError(
      "model",
      `${name} answers only as a stream of thinking and cannot give structured (JSON) answers. ` +
        `Choose a model with structured output, such as ${defaultModel} or qwen3-vl-plus.`,
    );
  }
}

/** The error when a request asks a model without a JSON mode for structured output. */
export function noStructuredOutputError(model: ModelEntry, modelName: string): ConfigurationError {
  const why = model.streamingOnly ? " (it answers only as a stream of thinking)" : "";
  return new ConfigurationError(
    "structuredOutput",
    `${modelName} does not support structured output${why}. Choose a model that does, such as ${defaultModel} or qwen3-vl-plus.`,
  );
}

/** zod throws plain errors for types JSON Schema cannot express (dates, transforms): keep them in the family. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(
      "structuredOutput",
      `The structured output schema cannot be sent as JSON Schema: ${reason}. Use plain JSON types (strings for dates) and validate further after parsing.`,
    );
  }
}
