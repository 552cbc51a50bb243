/*
 * The action's inputs, read and checked once with zod. An input the workflow did not set arrives as
 * "" (the runner sets INPUT_* for every declared input), so "" always means "not set, use the default".
 */
import { ConfigurationError, defaultCatalogue, defaultModel, regionBaseUrls } from "@glance/core";
import { z } from "zod";

export const severities = ["low", "medium", "high"] as const;
export type Severity = (typeof severities)[number];

export const defaultInclude = ["**/*.{png,jpg,jpeg,webp,gif,bmp,tiff,tif,heic,svg}"];

/**
 * fail-on-error: when images the model could not review (or a set-up error that stops the run) fail
 * the job. "all": when no image could be reviewed, or on a set-up error; "any": when any image could
 * not be reviewed; "never": they are reported, never a failure.
 */
export const failOnErrorValues = ["all", "any", "never"] as const;
export type FailOnError = (typeof failOnErrorValues)[number];

export interface ActionConfig {
  apiKey: string | undefined;
  baseUrl: string | undefined;
  /** A region name core knows (its regionBaseUrls); an explicit baseUrl wins over it. */
  region: string | undefined;
  model: string;
  /** strict-models: refuse a model the catalogue does not know instead of assuming the nearest one. */
  strictModels: boolean;
  /** What core assumed to resolve a model it does not know; the review warns it once. */
  modelAssumption: string | undefined;
  githubToken: string;
  include: string[];
  exclude: string[];
  maxImages: number;
  maxTokens: number | undefined;
  prompt: string | undefined;
  language: string | undefined;
  failOn: Severity | "none";
  failOnError: FailOnError;
  commentMode: "update" | "new" | "off";
  reviewBodyImages: boolean;
  highResolution: boolean;
  thinking: boolean;
  concurrency: number;
  dryRun: boolean;
  pullRequestNumber: number | undefined;
}

/** Reads one input by its action.yml name; the caller passes @actions/core's getInput. */
export type InputReader = (name: string) => string;

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .transform((value) => (value === "" ? undefined : value));

function wholeNumber(name: string, minimum: number, fallback: number | undefined) {
  return optionalText.transform((value, context) => {
    if (value === undefined) {
      return fallback;
    }
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) {
      context.addIssue({
        code: "custom",
        message: `${name} is "${value}"; it must be a whole number, at least ${minimum}.`,
      });
      return z.NEVER;
    }
    return number;
  });
}

function boolean(name: string, fallback: boolean) {
  return optionalText.transform((value, context) => {
    if (value === undefined) {
      return fallback;
    }
    // The same spellings @actions/core's getBooleanInput accepts (YAML 1.2 core schema).
    if (["true", "True", "TRUE"].includes(value)) return true;
    if (["false", "False", "FALSE"].includes(value)) return false;
    context.addIssue({ code: "custom", message: `${name} is "${value}"; it must be true or false.` });
    return z.NEVER;
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) {
  return optionalText.transform((value, context): T[number] => {
    if (value === undefined) {
      return fallback;
    }
    const lower = value.toLowerCase();
    const match = values.find((candidate) => candidate === lower);
    if (match === undefined) {
      context.addIssue({ code: "custom", message: `${name} is "${value}"; it must be one of ${values.join(", ")}.` });
      return z.NEVER;
    }
    return match;
  });
}

const globList = optionalText.transform((value) =>
  value === undefined
    ? undefined
    : value
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#")),
);

const inputSchema = z.object({
  "api-key": optionalText,
  "base-url": optionalText.pipe(
    z
      .url({ message: 'base-url must be a URL such as "https://dashscope-intl.aliyuncs.com/compatible-mode/v1".' })
      .optional(),
  ),
  // The names come from core, which knows the endpoints; the action only checks the input against them.
  region: optionalText.transform((value, context) => {
    if (value === undefined) {
      return undefined;
    }
    const known = Object.keys(regionBaseUrls);
    const match = known.find((name) => name === value.toLowerCase());
    if (match === undefined) {
      context.addIssue({ code: "custom", message: `region is "${value}"; it must be one of ${known.join(", ")}.` });
      return z.NEVER;
    }
    return match;
  }),
  model: optionalText.transform((value) => value ?? defaultModel),
  "strict-models": boolean("strict-models", false),
  "github-token": optionalText,
  include: globList,
  exclude: globList,
  "max-images": wholeNumber("max-images", 1, 20),
  "max-tokens": wholeNumber("max-tokens", 1, undefined),
  prompt: optionalText,
  language: optionalText,
  "fail-on": oneOf("fail-on", ["none", "low", "medium", "high"], "none"),
  "fail-on-error": oneOf("fail-on-error", failOnErrorValues, "all"),
  "comment-mode": oneOf("comment-mode", ["update", "new", "off"], "update"),
  "review-body-images": boolean("review-body-images", true),
  "high-resolution": boolean("high-resolution", false),
  thinking: boolean("thinking", false),
  concurrency: wholeNumber("concurrency", 1, 4),
  "dry-run": boolean("dry-run", false),
  "pull-request": wholeNumber("pull-request", 1, undefined),
});

export const inputNames = Object.keys(inputSchema.shape) as Array<keyof typeof inputSchema.shape>;

export function readConfig(readInput: InputReader): ActionConfig {
  const raw = Object.fromEntries(inputNames.map((name) => [name, readInput(name)]));
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new ConfigurationError("inputs", `Invalid input: ${problems.join(" ")}`);
  }
  const input = parsed.data;
  const githubToken = input["github-token"];
  if (githubToken === undefined) {
    throw new ConfigurationError(
      "github-token",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub workflow expression, not a placeholder.
      "github-token is empty. Leave it out to use the default ${{ github.token }}, or pass a token that can read the pull request and write its comments.",
    );
  }
  // Resolved once, here: an unknown model fails the step before any download; a newer one is assumed.
  const model = defaultCatalogue.resolve(input.model, { strictModels: input["strict-models"] });
  return {
    apiKey: input["api-key"],
    baseUrl: input["base-url"],
    region: input.region,
    model: input.model,
    strictModels: input["strict-models"],
    modelAssumption: model.assumption,
    githubToken,
    include: input.include ?? defaultInclude,
    exclude: input.exclude ?? [],
    maxImages: input["max-images"] ?? 20,
    maxTokens: input["max-tokens"],
    prompt: input.prompt,
    language: input.language,
    failOn: input["fail-on"],
    failOnError: input["fail-on-error"],
    commentMode: input["comment-mode"],
    reviewBodyImages: input["review-body-images"],
    highResolution: input["high-resolution"],
    thinking: input.thinking,
    concurrency: input.concurrency ?? 4,
    dryRun: input["dry-run"],
    pullRequestNumber: input["pull-request"],
  };
}
