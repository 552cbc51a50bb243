/*
 * The wire shape of a Model Studio chat-completions request, as Glance sends it. Strict on purpose:
 * these are the only fields we write. `enable_thinking`, `thinking_budget` and
 * `vl_high_resolution_images` are Model Studio extensions that sit at the top level of the body.
 */

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImageUrlPart {
  type: "image_url";
  image_url: { url: string };
  max_pixels?: number;
}

export interface VideoUrlPart {
  type: "video_url";
  video_url: { url: string };
  fps: number;
}

/** A video sent as a list of frames (data URLs or public URLs). */
export interface VideoFramesPart {
  type: "video";
  video: string[];
  fps: number;
}

export type ContentPart = TextPart | ImageUrlPart | VideoUrlPart | VideoFramesPart;

export interface SystemMessage {
  role: "system";
  content: string;
}

export interface UserMessage {
  role: "user";
  content: string | ContentPart[];
}

export interface AssistantMessage {
  role: "assistant";
  content: string;
  /** Partial mode: the model continues this text instead of starting a new answer. */
  partial?: boolean;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage;

export interface JsonSchemaResponseFormat {
  type: "json_schema";
  json_schema: { name: string; schema: Record<string, unknown>; strict: boolean };
}

/** JSON without a schema the service enforces; the messages must contain the word "JSON". */
export interface JsonObjectResponseFormat {
  type: "json_object";
}

export type ResponseFormat = JsonSchemaResponseFormat | JsonObjectResponseFormat;

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  enable_thinking?: boolean;
  thinking_budget?: number;
  vl_high_resolution_images?: boolean;
  /**
   * The cap on generated tokens, thinking and answer together. Never `max_tokens`: Model Studio replaced
   * it on the OpenAI-compatible API (notice effective 2026-04-20, "will be deprecated before May 30,
   * 2026"; https://www.alibabacloud.com/en/notice/model_studio_notice_of_changes_to_certain_model_fields_724,
   * zh notice dated Apr 12, 2026), and on existing models `max_tokens` caps only the answer while
   * `max_completion_tokens` counts "reasoning + answer" (API reference, V-copy of
   * https://help.aliyun.com/zh/model-studio/qwen-api-via-dashscope, no date shown; the Nov 11, 2026
   * https://www.alibabacloud.com/help/en/model-studio/api-compatibility-upgrade-notice keeps that for models
   * before qwen4-max-preview).
   */
  max_completion_tokens?: number;
  temperature?: number;
  response_format?: ResponseFormat;
}
