import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Where a worker thread's file is: beside the module that starts it, both in the sources (a .js file
 * among the .ts ones) and in core's build; in the action's esbuild bundle that module sits in dist/
 * or dist/chunks/ and each worker is an entry point of its own in dist/ (action/scripts/bundle.mjs).
 * Undefined when it is in neither place; the caller says what is missing in its own words.
 */
export function workerFile(name: string, besides: string): URL | undefined {
  for (const candidate of [`./${name}`, `../${name}`]) {
    const url = new URL(candidate, besides);
    if (existsSync(fileURLToPath(url))) {
      return url;
    }
  }
  return undefined;
}
