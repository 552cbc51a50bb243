import { createRequire as __glanceCreateRequire } from "node:module"; const require = __glanceCreateRequire(import.meta.url);
import {
  ConfigurationError,
  defaultCatalogue,
  defaultModel,
  external_exports,
  regionBaseUrls
} from "./chunk-LXH4BYVZ.js";
import "./chunk-NBCU4IS7.js";

// action/src/config.ts
var severities = ["low", "medium", "high"];
var defaultInclude = ["**/*.{png,jpg,jpeg,webp,gif,bmp,tiff,tif,heic,svg}"];
var failOnErrorValues = ["all", "any", "never"];
var optionalText = external_exports.string().transform((value) => value.trim()).transform((value) => value === "" ? void 0 : value);
function wholeNumber(name, minimum, fallback) {
  return optionalText.transform((value, context) => {
    if (value === void 0) {
      return fallback;
    }
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) {
      context.addIssue({
        code: "custom",
        message: `${name} is "${value}"; it must be a whole number, at least ${minimum}.`
      });
      return external_exports.NEVER;
    }
    return number;
  });
}
function boolean(name, fallback) {
  return optionalText.transform((value, context) => {
    if (value === void 0) {
      return fallback;
    }
    if (["true", "True", "TRUE"].includes(value)) return true;
    if (["false", "False", "FALSE"].includes(value)) return false;
    context.addIssue({ code: "custom", message: `${name} is "${value}"; it must be true or false.` });
    return external_exports.NEVER;
  });
}
function oneOf(name, values, fallback) {
  return optionalText.transform((value, context) => {
    if (value === void 0) {
      return fallback;
    }
    const lower = value.toLowerCase();
    const match = values.find((candidate) => candidate === lower);
    if (match === void 0) {
      context.addIssue({ code: "custom", message: `${name} is "${value}"; it must be one of ${values.join(", ")}.` });
      return external_exports.NEVER;
    }
    return match;
  });
}
var globList = optionalText.transform(
  (value) => value === void 0 ? void 0 : value.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"))
);
var inputSchema = external_exports.object({
  "api-key": optionalText,
  "base-url": optionalText.pipe(
    external_exports.url({ message: 'base-url must be a URL such as "https://dashscope-intl.aliyuncs.com/compatible-mode/v1".' }).optional()
  ),
  // The names come from core, which knows the endpoints; the action only checks the input against them.
  region: optionalText.transform((value, context) => {
    if (value === void 0) {
      return void 0;
    }
    const known = Object.keys(regionBaseUrls);
    const match = known.find((name) => name === value.toLowerCase());
    if (match === void 0) {
      context.addIssue({ code: "custom", message: `region is "${value}"; it must be one of ${known.join(", ")}.` });
      return external_exports.NEVER;
    }
    return match;
  }),
  model: optionalText.transform((value) => value ?? defaultModel),
  "strict-models": boolean("strict-models", false),
  "github-token": optionalText,
  include: globList,
  exclude: globList,
  "max-images": wholeNumber("max-images", 1, 20),
  "max-tokens": wholeNumber("max-tokens", 1, void 0),
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
  "pull-request": wholeNumber("pull-request", 1, void 0)
});
var inputNames = Object.keys(inputSchema.shape);
function readConfig(readInput) {
  const raw = Object.fromEntries(inputNames.map((name) => [name, readInput(name)]));
  const parsed = inputSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new ConfigurationError("inputs", `Invalid input: ${problems.join(" ")}`);
  }
  const input = parsed.data;
  const githubToken = input["github-token"];
  if (githubToken === void 0) {
    throw new ConfigurationError(
      "github-token",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub workflow expression, not a placeholder.
      "github-token is empty. Leave it out to use the default ${{ github.token }}, or pass a token that can read the pull request and write its comments."
    );
  }
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
    pullRequestNumber: input["pull-request"]
  };
}
export {
  defaultInclude,
  failOnErrorValues,
  inputNames,
  readConfig,
  severities
};
