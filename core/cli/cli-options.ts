import { parseArgs } from "node:util";
import {
  ConfigurationError,
  defaultBaseUrl,
  defaultModel,
  isRegionName,
  type RegionName,
  regionBaseUrls,
  regionNames,
  UsageError,
} from "@glance/core";
import { z } from "zod";
import { type CommandName, commands } from "./command-table.js";

/*
 * The command line and the environment are the CLI's edge: both are read and validated here, once,
 * and everything after works with typed values. Core itself never reads process.env.
 */

export interface CliOptions {
  command: CommandName;
  /** The words after the command: the files, and for locate what to find. Each command checks its own. */
  arguments: string[];
  prompt: string | undefined;
  model: string;
  /** --strict-model: refuse a model the catalogue does not know instead of assuming the nearest family. */
  strictModel: boolean;
  maxPixels: number | undefined;
  highResolution: boolean;
  fps: number | undefined;
  thinking: boolean | undefined;
  json: boolean;
  dryRun: boolean;
  output: string | undefined;
  timeoutSeconds: number;
  /** A JSON price table file (see estimateCost); without one, costs are shown in tokens only. */
  pricesFile: string | undefined;
  apiKey: string | undefined;
  /** --region, else DASHSCOPE_REGION; the endpoint is then the region's, unless baseUrl is set. */
  region: RegionName | undefined;
  baseUrl: string | undefined;
}

/** What the command line asks for: the usage text, or a command to run. */
export type CliRequest = { kind: "help" } | { kind: "run"; options: CliOptions };

const commandWidth = Math.max(...Object.values(commands).map((command) => command.synopsis.length));

export const usage = `Usage: glance <command> <files...> [options]

Commands:
${Object.values(commands)
  .map((command) => `  ${command.synopsis.padEnd(commandWidth)}  ${command.summary}`)
  .join("\n")}

Options:
  -p, --prompt TEXT   The question (ask)
  -m, --model NAME    Model (default: GLANCE_MODEL or ${defaultModel})
  --strict-model      Refuse a model Glance does not know, instead of assuming the nearest known one
  --max-pixels N      Pixel budget per image (max_pixels)
  --high-res          vl_high_resolution_images: up to 16,384 tokens per image instead of max_pixels
  --fps N             Video sampling rate, 0.1 to 10 (default 2)
  --thinking          Think first, and show the thinking; --no-thinking turns it off
  --dry-run           Print the plan, the estimate and the request; send nothing
  --json              Machine-readable output
  -o, --output FILE   Where locate writes its annotated PNG
  --timeout SECONDS   Per attempt (default 200, above the service's 180 s partial-answer limit)
  --region NAME       Model Studio region of your key: ${regionNames.join(", ")} (default: DASHSCOPE_REGION or intl)
  --prices FILE       JSON price table, to show costs next to tokens (default GLANCE_PRICES)

Environment:
  DASHSCOPE_API_KEY   Model Studio API key; without it, glance prints what it would send
  DASHSCOPE_REGION    Region of your key: ${regionNames.join(", ")} (default intl, Singapore)
  DASHSCOPE_BASE_URL  An explicit endpoint, such as a workspace domain; wins over the region
  GLANCE_MODEL        Default model
  GLANCE_PRICES       Default price table file`;

const optionalSetting = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === "" ? undefined : value));

const environmentSchema = z.object({
  DASHSCOPE_API_KEY: optionalSetting,
  DASHSCOPE_BASE_URL: optionalSetting,
  DASHSCOPE_REGION: optionalSetting,
  GLANCE_MODEL: optionalSetting,
  GLANCE_PRICES: optionalSetting,
});

const baseUrlSchema = z.url({ protocol: /^https?$/ });

const commandList = Object.keys(commands).join(", ");
const helpHint = "Run glance --help for the usage.";

const positiveNumber = (flag: string) =>
  z.coerce.number({ message: `${flag} must be a number` }).refine((value) => value > 0, `${flag} must be above 0`);

/**
 * Reads the command line and the environment. A wrong command line throws UsageError; a wrong setting
 * in the environment throws ConfigurationError. Each command checks its own arguments when it runs.
 */
export function parseCommandLine(argv: readonly string[], environment: Record<string, string | undefined>): CliRequest {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    // parseArgs says what is wrong ("Unknown option '--foo'") in one line of its own.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.replace(/\.?$/, ".")} ${helpHint}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true) {
    return { kind: "help" };
  }
  if (command === undefined) {
    throw new UsageError(`No command given. Commands: ${commandList}. ${helpHint}`);
  }
  if (!isCommandName(command)) {
    throw new UsageError(`Unknown command "${command}". Commands: ${commandList}. ${helpHint}`);
  }
  if (values.thinking === true && values["no-thinking"] === true) {
    throw new UsageError("Use --thinking or --no-thinking, not both.");
  }

  const numbers = z
    .object({
      maxPixels: positiveNumber("--max-pixels").pipe(z.number().int("--max-pixels must be a whole number")).optional(),
      fps: positiveNumber("--fps").optional(),
      timeoutSeconds: positiveNumber("--timeout").default(200),
    })
    .safeParse({ maxPixels: values["max-pixels"], fps: values.fps, timeoutSeconds: values.timeout });
  if (!numbers.success) {
    throw new UsageError(numbers.error.issues.map((issue) => issue.message).join("; "));
  }

  const settings = environmentSchema.parse(environment);
  if (settings.DASHSCOPE_BASE_URL !== undefined && !baseUrlSchema.safeParse(settings.DASHSCOPE_BASE_URL).success) {
    throw new ConfigurationError(
      "DASHSCOPE_BASE_URL",
      `DASHSCOPE_BASE_URL is ${describeSetting(settings.DASHSCOPE_BASE_URL)}, but must be an http or https URL. ` +
        `Set it to your key's region endpoint, such as ${defaultBaseUrl}, or unset it for that default.`,
    );
  }

  const region = regionOf(values.region, settings.DASHSCOPE_REGION);

  return {
    kind: "run",
    options: {
      command,
      arguments: rest,
      prompt: values.prompt,
      model: values.model ?? settings.GLANCE_MODEL ?? defaultModel,
      strictModel: values["strict-model"] === true,
      maxPixels: numbers.data.maxPixels,
      highResolution: values["high-res"] === true,
      fps: numbers.data.fps,
      thinking: values.thinking === true ? true : values["no-thinking"] === true ? false : undefined,
      json: values.json === true,
      dryRun: values["dry-run"] === true,
      output: values.output,
      timeoutSeconds: numbers.data.timeoutSeconds,
      pricesFile: values.prices ?? settings.GLANCE_PRICES,
      apiKey: settings.DASHSCOPE_API_KEY,
      region,
      baseUrl: settings.DASHSCOPE_BASE_URL,
    },
  };
}

/** --region wins over DASHSCOPE_REGION; a wrong flag is a usage error, a wrong variable a setting error. */
function regionOf(flag: string | undefined, variable: string | undefined): RegionName | undefined {
  const known = regionNames.map((name) => `${name} (${regionBaseUrls[name]})`).join(", ");
  if (flag !== undefined) {
    const name = flag.trim().toLowerCase();
    if (!isRegionName(name)) {
      throw new UsageError(`--region is ${JSON.stringify(flag)}, but must be one of: ${known}. ${helpHint}`);
    }
    return name;
  }
  if (variable === undefined) {
    return undefined;
  }
  const name = variable.toLowerCase();
  if (!isRegionName(name)) {
    throw new ConfigurationError(
      "DASHSCOPE_REGION",
      `DASHSCOPE_REGION is ${describeSetting(variable)}, but must be one of: ${known}. ` +
        "Set it to the region of your key, or unset it for intl; for any other endpoint set DASHSCOPE_BASE_URL.",
    );
  }
  return name;
}

/** The actual value, for the message; never a key pasted into the wrong variable, since errors reach logs. */
function describeSetting(value: string): string {
  return value.startsWith("sk-") ? "what looks like an API key (sk-...)" : JSON.stringify(value);
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      prompt: { type: "string", short: "p" },
      model: { type: "string", short: "m" },
      "strict-model": { type: "boolean" },
      "max-pixels": { type: "string" },
      "high-res": { type: "boolean" },
      fps: { type: "string" },
      thinking: { type: "boolean" },
      "no-thinking": { type: "boolean" },
      json: { type: "boolean" },
      "dry-run": { type: "boolean" },
      output: { type: "string", short: "o" },
      timeout: { type: "string" },
      prices: { type: "string" },
      region: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function isCommandName(value: string): value is CommandName {
  return Object.hasOwn(commands, value);
}
