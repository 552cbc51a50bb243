import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  setFailed
} from "./chunks/chunk-JS25SS74.js";
import "./chunks/chunk-NBCU4IS7.js";

// action/src/index.ts
async function run() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    setFailed(
      `Glance's image review runs on Linux x64 runners only (this runner is ${process.platform}/${process.arch}): the committed bundle carries sharp's native image library for linux-x64 alone. Use runs-on: ubuntu-latest.`
    );
    return;
  }
  try {
    const { main } = await import("./chunks/main-2ZXVGNUH.js");
    await main();
  } catch (error) {
    setFailed(error instanceof Error ? error.message : String(error));
  }
}
await run();
