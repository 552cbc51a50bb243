import type { ModelFamily } from "./model-entry.js";

/*
 * Names Glance does not know but that follow the vendor's naming resolve by rule to the nearest known
 * family, so a model released after this version of Glance works on day one, with a warning that says
 * what was assumed. The rule is deliberately narrow:
 *
 * - Only `qwen<version>-<tier>` with version 3.5 or later: from Qwen3.5 on, the plus and flash models
 *   are native vision-language models (the reference lists qwen3.5-plus and -flash as vision models;
 *   model-facts.md §3 lists 3.6 and 3.7 likewise). Older names such as qwen3-max or qwen-plus are text
 *   models and stay an error.
 * - Tiers plus, flash and max, and open-weight sizes such as 27b or 35b-a3b; then optional `-preview`,
 *   `-latest`, a dated snapshot (`-YYYY-MM-DD`, or the short `-MMDD`), and a `-us` deployment suffix.
 * - "max" maps to the plus family: no vision "max" model of Qwen3.5 or later is known.
 *
 * Qwen3.8 is resolved by this rule, not by a catalogue entry. Sources disagree whether qwen3.8-max takes
 * images (model-facts.md §3c: a 3P gateway's live calls, models.dev and the vendor's vision temperature
 * default say yes; Xinference and a 3P table say text only), and no source gives its pixel rules. A
 * catalogue entry would claim vision as a fact; the rule says "assuming it takes images" every time,
 * and strict models refuse it. Its limits are then those of the newest known plus family.
 */

/** What the vendor's naming says about a model name. */
export interface VendorModelName {
  /** major * 1000 + minor, so that versions compare as numbers: 3.10 is after 3.9. */
  version: number;
  /** "plus", "flash", or "open-weights" for a size such as 35b-a3b. */
  tier: "plus" | "flash" | "open-weights";
  /** The tier as written, for the message ("max" reads as plus). */
  writtenTier: string;
}

const minimumVersion = 3 * 1000 + 5;

const vendorNamePattern =
  /^qwen(?<major>\d+)(?:\.(?<minor>\d+))?-(?<tier>plus|flash|max|\d+b(?:-a\d+b)?)(?:-(?:preview|latest|\d{4}-\d{2}-\d{2}|\d{4}))*(?:-us)?$/;

/** Reads a name by the vendor's naming; undefined when it does not follow it or is older than Qwen3.5. */
export function parseVendorModelName(name: string): VendorModelName | undefined {
  const groups = vendorNamePattern.exec(name)?.groups;
  if (groups === undefined) {
    return undefined;
  }
  const { major = "", minor = "0", tier = "" } = groups;
  const version = Number(major) * 1000 + Number(minor);
  if (version < minimumVersion) {
    return undefined;
  }
  return {
    version,
    tier: tier === "plus" || tier === "max" ? "plus" : tier === "flash" ? "flash" : "open-weights",
    writtenTier: tier,
  };
}

/**
 * The known family nearest to a vendor name: the same tier, the newest version not after the name's,
 * else the oldest after it. Families are placed by their own names read with the same naming.
 */
export function nearestFamily(name: VendorModelName, families: readonly ModelFamily[]): ModelFamily | undefined {
  const candidates = families.flatMap((family) =>
    family.names
      .map((known) => parseVendorModelName(known))
      .filter((known): known is VendorModelName => known !== undefined && known.tier === name.tier)
      .map((known) => ({ family, version: known.version })),
  );
  const notAfter = candidates.filter((candidate) => candidate.version <= name.version);
  const pool = notAfter.length > 0 ? notAfter : candidates;
  const sorted = [...pool].sort((first, second) =>
    notAfter.length > 0 ? second.version - first.version : first.version - second.version,
  );
  return sorted[0]?.family;
}
