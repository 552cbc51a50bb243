import { defaultCatalogue } from "./model-catalogue.js";
import type { ModelEntry } from "./model-entry.js";

/** Functions take a model by name (resolved in the default catalogue) or as an entry already resolved. */
export type ModelArgument = string | ModelEntry;

export function modelEntryOf(model: ModelArgument): ModelEntry {
  return typeof model === "string" ? defaultCatalogue.resolve(model) : model;
}
