/*
 * What Model Studio sends back, read leniently: only the fields Glance uses, each optional and typed
 * `unknown` where the service has been seen to vary, because an OpenAI-compatible service may leave
 * any of them out or fill them oddly. `reasoning_content` is Model Studio's own.
 */

/**
 * `prompt_tokens_details.{image_tokens, text_tokens, cached_tokens}` are observed on vision calls, and
 * `video_tokens` on video calls ("Image tokens and video tokens are counted in
 * usage.prompt_tokens_details", https://docs.anyfast.ai/guides/model-api/alibaba/qwen3.6-flash, no date
 * shown); `completion_tokens_details.reasoning_tokens` with thinking. Model-facts §4 lists the sources.
 */
export interface WireUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  total_tokens?: unknown;
  prompt_tokens_details?: unknown;
  completion_tokens_details?: unknown;
}

export interface WireCompletion {
  id?: string;
  model?: string;
  choices?: Array<{
    finish_reason?: string | null;
    message?: { content?: unknown; reasoning_content?: unknown };
  }>;
  usage?: WireUsage | null;
}

export interface WireChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    finish_reason?: string | null;
    delta?: { content?: unknown; reasoning_content?: unknown };
  }>;
  usage?: WireUsage | null;
}
