import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// core/src/estimation/text-token-worker.js
import { parentPort } from "node:worker_threads";
if (parentPort === null) {
  throw new Error("text-token-worker.js runs as a worker thread only.");
}
var port = parentPort;
var tokenizer;
var waiting = [];
function answer(request) {
  if (tokenizer === void 0) {
    waiting.push(request);
    return;
  }
  port.postMessage({
    kind: "count",
    id: request.id,
    tokens: tokenizer.encode(request.text, { add_special_tokens: false }).length
  });
}
port.on("message", answer);
import("./chunks/main-MGCR24CX.js").then(
  (module) => {
    tokenizer = module.fromPreTrained();
    const vocabulary = module.tokenizerJSON.model?.vocab;
    const addedTokens = module.tokenizerJSON.added_tokens;
    const vocabularySize = (typeof vocabulary === "object" && vocabulary !== null ? Object.keys(vocabulary).length : 0) + (Array.isArray(addedTokens) ? addedTokens.length : 0);
    port.postMessage({ kind: "ready", vocabularySize });
    for (const request of waiting.splice(0)) answer(request);
  },
  (error) => {
    port.postMessage({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
);
