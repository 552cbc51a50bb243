import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);

// action/src/error-message.ts
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

export {
  messageOf
};
