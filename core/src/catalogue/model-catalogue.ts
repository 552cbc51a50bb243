import { ConfigurationError } from "../errors.js";
import type { ModelEntry, ModelFamily } from "./model-entry.js";
import { modelFamilies } from "./model-families.js";
import { nearestFamily, parseVendorModelName } from "./model-naming-rule.js";

/** A model name resolved to what Glance knows about it. */
export interface ResolvedModel extends ModelEntry {
  /** The name as the caller gave it; this is what goes into the request. */
  name: string;
  /** The snapshot date, "latest", or undefined for a stable or exact name. */
  snapshot: string | undefined;
  /**
   * One line saying what Glance assumed to resolve a name it does not know (a newer model resolved by
   * the vendor's naming to the nearest known family); undefined when the name is known.
   */
  assumption: string | undefined;
}

export interface ResolveOptions {
  /** Refuse a name the catalogue does not know instead of assuming (ConfigurationError). */
  strictModels?: boolean;
  /** Receives the assumption as one warning; adapters pass theirs (CLI stderr, action warning, bot log). */
  logger?: { warn(message: string): void };
}

const snapshotPattern = /^(.+)-(latest|\d{4}-\d{2}-\d{2})$/;

/**
 * Resolves model names to catalogue entries. Exact names win; dated snapshots (`<base>-YYYY-MM-DD`)
 * and `-latest` aliases resolve to their base's family by rule, so new snapshots work without a
 * release of Glance. A newer model that follows the vendor's naming (qwen3.9-plus) resolves to the
 * nearest known family with an assumption the caller shows as a warning, or is refused in strict mode.
 * Users can register their own entries (a new snapshot with other limits, a private deployment) and
 * those take precedence.
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

  resolve(name: string, options: ResolveOptions = {}): ResolvedModel {
    const known = this.#known(name);
    if (known !== undefined) {
      return known;
    }
    const assumed = this.#regional(name) ?? this.#byNamingRule(name);
    if (assumed === undefined) {
      throw new ConfigurationError(
        "model",
        `Unknown model "${name}". Known models: ${this.knownNames().join(", ")}. ` +
          `Dated snapshots such as "qwen3-vl-plus-2025-09-23" resolve to their family, and newer models named ` +
          `like "qwen3.9-plus" to the nearest known one; register any other model with ModelCatalogue.register().`,
      );
    }
    if (options.strictModels === true) {
      throw new ConfigurationError(
        "model",
        `Model "${name}" is not in Glance's catalogue, and strict models refuse to assume ${assumed.what}. ` +
          `Use a known model (${this.knownNames().join(", ")}), or turn strict models off to accept the assumption.`,
      );
    }
    const assumption = `Model "${name}" is not in Glance's catalogue; assuming ${assumed.what}.`;
    options.logger?.warn(assumption);
    return { ...assumed.entry, name, assumption };
  }

  /** A registered name, an exact catalogue name, or a snapshot of a known base. */
  #known(name: string): ResolvedModel | undefined {
    const custom = this.#custom.get(name);
    if (custom !== undefined) {
      return { ...custom, name, snapshot: undefined, assumption: undefined };
    }
    const exact = this.#families.find((family) => family.names.includes(name));
    if (exact !== undefined) {
      return { ...toEntry(exact), name, snapshot: undefined, assumption: undefined };
    }
    const match = snapshotPattern.exec(name);
    if (match !== null) {
      const [, base = "", snapshot = ""] = match;
      const family = this.#families.find((candidate) => candidate.snapshotBases.includes(base));
      if (family !== undefined) {
        return { ...applySnapshotRules(family, snapshot), name, snapshot, assumption: undefined };
      }
    }
    // A regional deployment the family documents ("qwen3-vl-flash-us") is the same model.
    for (const suffix of new Set(this.#families.flatMap((family) => family.regionSuffixes ?? []))) {
      const baseName = name.slice(0, -suffix.length);
      // One suffix only: "qwen3-vl-flash-us-us" is no deployment.
      const base = name.endsWith(suffix) && !baseName.endsWith(suffix) ? this.#known(baseName) : undefined;
      const family = this.#families.find((candidate) => candidate.family === base?.family);
      if (base !== undefined && family?.regionSuffixes?.includes(suffix) === true) {
        return { ...base, name };
      }
    }
    return undefined;
  }

  /** `<known name>-us`: the US (Virginia) deployment of a known model, when its family does not document one. */
  #regional(name: string): Assumed | undefined {
    const suffix = "-us";
    if (!name.endsWith(suffix)) {
      return undefined;
    }
    const baseName = name.slice(0, -suffix.length);
    const base = baseName.endsWith(suffix) ? undefined : this.#known(baseName);
    if (base === undefined) {
      return undefined;
    }
    return { entry: base, what: `it is the US deployment of "${baseName}", with the same limits` };
  }

  /** A newer model named as the vendor names them: the nearest known family. */
  #byNamingRule(name: string): Assumed | undefined {
    const vendorName = parseVendorModelName(name);
    const family = vendorName === undefined ? undefined : nearestFamily(vendorName, this.#families);
    if (family === undefined) {
      return undefined;
    }
    return {
      entry: { ...toEntry(family), name, snapshot: undefined, assumption: undefined },
      what: `it takes images and has the limits of ${family.names[0] ?? family.family}, the nearest known model`,
    };
  }
}

/** A name resolved by assumption: the entry, and what was assumed, as words that follow "assuming". */
interface Assumed {
  entry: ResolvedModel;
  what: string;
}

function toEntry(family: ModelFamily): ModelEntry {
  const {
    names: _names,
    snapshotBases: _bases,
    snapshotRules: _rules,
    regionSuffixes: _regionSuffixes,
    ...entry
  } = family;
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
