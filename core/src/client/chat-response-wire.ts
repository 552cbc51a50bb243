/*
 * What Model Studio sends back, read leniently: only the fields Glance uses, each optional, because
 * an OpenAI-compatible service may leave any of them out. `reasoning_content` is Model Studio's own.
 */

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface WireCompletion {
  id?: string;
  model?: string;
  choices?: Array<{
    finish_reason?: string | null;
    message?: { content?: string | null; reasoning_content?: string | null };
  }>;
  usage?: WireUsage | null;
}

export interface WireChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    finish_reason?: string | null;
    delta?: { content?: string | null; reasoning_content?: string | null };
  }>;
  usage?: WireUsage | null;
}
