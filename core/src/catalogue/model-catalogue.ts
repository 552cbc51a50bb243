import { ConfigurationError } from "../errors.js";
import type { ModelEntry, ModelFamily } from "./model-entry.js";
import { modelFamilies } from "./model-families.js";

/** A model name resolved to what Glance knows about it. */
export interface ResolvedModel extends ModelEntry {
  /** The name as the caller gave it; this is what goes into the request. */
  name: string;
  /** The snapshot date, "latest", or undefined for a stable or exact name. */
  snapshot: string | undefined;
}

const snapshotPattern = /^(.+)-(latest|\d{4}-\d{2}-\d{2})$/;

/**
 * Resolves model names to catalogue entries. Exact names win; dated snapshots (`<base>-YYYY-MM-DD`)
 * and `-latest` aliases resolve to their base's family by rule, so new snapshots work without a
 * release of Glance. Users can register their own entries (a new snapshot with other limits, a
 * private deployment) and those take precedence.
 */
export class ModelCatalogue {
  readonly #families: ModelFamily[];
  readonly #custom = new Map<string, ModelEntry>();

  constructor(families: readonly ModelFamily[] = modelFamilies) {
    this.#families = [...families];
  }

  /** Adds or replaces the entry for one exact model name. */
  register(name: string, entry: ModelEntry): void {
    if (name.trim() === "") {
      throw new ConfigurationError("model", "A registered model needs a non-empty name.");
    }
    this.#custom.set(name, entry);
  }

  /** Every family name, for messages and `--help`. */
  familyNames(): string[] {
    return [...this.#families.map((family) => family.family), ...this.#custom.keys()];
  }

  /** Every exact model name the catalogue knows. */
  knownNames(): string[] {
    return [...this.#families.flatMap((family) => family.names), ...this.#custom.keys()];
  }

  resolve(name: string): ResolvedModel {
    const custom = this.#custom.get(name);
    if (custom !== undefined) {
      return { ...custom, name, snapshot: undefined };
    }
    const exact = this.#families.find((family) => family.names.includes(name));
    if (exact !== undefined) {
      return { ...toEntry(exact), name, snapshot: undefined };
    }
    const match = snapshotPattern.exec(name);
    if (match !== null) {
      const [, base = "", snapshot = ""] = match;
      const family = this.#families.find((candidate) => candidate.snapshotBases.includes(base));
      if (family !== undefined) {
        return { ...applySnapshotRules(family, snapshot), name, snapshot };
      }
    }
    throw new ConfigurationError(
      "model",
      `Unknown model "${name}". Known models: ${this.knownNames().join(", ")}. ` +
        `Dated snapshots such as "qwen3-vl-plus-2025-09-23" resolve to their family; ` +
        `register any other model with ModelCatalogue.register().`,
    );
  }
}

function toEntry(family: ModelFamily): ModelEntry {
  const { names: _names, snapshotBases: _bases, snapshotRules: _rules, ...entry } = family;
  return { ...entry, image: { ...entry.image }, video: { ...entry.video }, videoTokens: { ...entry.videoTokens } };
}

function applySnapshotRules(family: ModelFamily, snapshot: string): ModelEntry {
  const entry = toEntry(family);
  for (const rule of family.snapshotRules ?? []) {
    // "latest" tracks the newest snapshot, so it is never before any rule's date.
    const isBefore = snapshot !== "latest" && snapshot < rule.from;
    if (isBefore !== (rule.before === true)) {
      continue;
    }
    const { video, ...geometry } = rule.changes;
    Object.assign(entry, geometry);
    if (video !== undefined) {
      entry.video = { ...entry.video, ...video };
    }
  }
  return entry;
}

/** The catalogue with the built-in families and nothing registered. */
export const defaultCatalogue = new ModelCatalogue();
