import { parseArgs } from "node:util";
import { z } from "zod";

/*
 * The command line and the environment are the CLI's edge: both are read and validated here, once,
 * and everything after works with typed values. Core itself never reads process.env.
 */

export const commandNames = ["estimate", "ask", "ocr", "locate"] as const;
export type CommandName = (typeof commandNames)[number];

export interface CliOptions {
  command: CommandName;
  files: string[];
  prompt: string | undefined;
  /** For `locate`: what to find. */
  target: string | undefined;
  model: string;
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
  baseUrl: string | undefined;
}

export class UsageError extends Error {
  /** True when the user asked for the usage text: it goes to stdout and the exit code is 0. */
  readonly requested: boolean;

  constructor(message: string, requested = false) {
    super(message);
    this.name = "UsageError";
    this.requested = requested;
  }
}

export const usage = `Usage: glance <command> <files...> [options]

Commands:
  estimate <files...>            Tokens each image or video costs, and the total.
  ask <files...> --prompt "..."  Ask the model about images and videos (streams the answer).
  ocr <file>                     Read the text in an image.
  locate <file> "<what>"         Find things in an image; writes an annotated PNG.

Options:
  -p, --prompt TEXT   The question (ask)
  -m, --model NAME    Model (default: GLANCE_MODEL or qwen3.5-plus)
  --max-pixels N      Pixel budget per image (max_pixels)
  --high-res          vl_high_resolution_images: up to 16,384 tokens per image instead of max_pixels
  --fps N             Video sampling rate, 0.1 to 10 (default 2)
  --thinking          Think first, and show the thinking; --no-thinking turns it off
  --dry-run           Print the plan, the estimate and the request; send nothing
  --json              Machine-readable output
  -o, --output FILE   Where locate writes its annotated PNG
  --timeout SECONDS   Per attempt (default 200, above the service's 180 s partial-answer limit)
  --prices FILE       JSON price table, to show costs next to tokens (default GLANCE_PRICES)

Environment:
  DASHSCOPE_API_KEY   Model Studio API key; without it, glance prints what it would send
  DASHSCOPE_BASE_URL  Endpoint of your key's region (default: the international endpoint)
  GLANCE_MODEL        Default model
  GLANCE_PRICES       Default price table file`;

const environmentSchema = z.object({
  DASHSCOPE_API_KEY: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value)),
  DASHSCOPE_BASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(
      z
        .url({
          message: "DASHSCOPE_BASE_URL must be a URL such as https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        })
        .optional(),
    ),
  GLANCE_MODEL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value)),
  GLANCE_PRICES: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value)),
});

const positiveNumber = (flag: string) =>
  z.coerce.number({ message: `${flag} must be a number` }).refine((value) => value > 0, `${flag} must be above 0`);

export function parseCliOptions(argv: readonly string[], environment: Record<string, string | undefined>): CliOptions {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true) {
    throw new UsageError(usage, true);
  }
  if (command === undefined) {
    throw new UsageError(usage);
  }
  if (!isCommandName(command)) {
    throw new UsageError(`Unknown command "${command}". Commands: ${commandNames.join(", ")}.\n\n${usage}`);
  }

  const environmentResult = environmentSchema.safeParse(environment);
  if (!environmentResult.success) {
    throw new UsageError(environmentResult.error.issues.map((issue) => issue.message).join("; "));
  }
  const settings = environmentResult.data;

  let files = rest;
  let target: string | undefined;
  if (command === "locate") {
    if (rest.length !== 2) {
      throw new UsageError(`locate takes one image and what to find: glance locate screenshot.png "the login button"`);
    }
    files = rest.slice(0, 1);
    target = rest[1];
  }
  if (files.length === 0) {
    throw new UsageError(`${command} needs at least one file.\n\n${usage}`);
  }
  if (command === "ocr" && files.length !== 1) {
    throw new UsageError("ocr reads one image at a time: glance ocr receipt.jpg");
  }
  if (command === "ask" && (values.prompt === undefined || values.prompt.trim() === "")) {
    throw new UsageError(
      `ask needs a question: glance ask ${files.join(" ")} --prompt "What is wrong with this layout?"`,
    );
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

  return {
    command,
    files,
    prompt: values.prompt,
    target,
    model: values.model ?? settings.GLANCE_MODEL ?? "qwen3.5-plus",
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
    baseUrl: settings.DASHSCOPE_BASE_URL,
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      prompt: { type: "string", short: "p" },
      model: { type: "string", short: "m" },
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
      help: { type: "boolean", short: "h" },
    },
  });
}

function isCommandName(value: string): value is CommandName {
  return (commandNames as readonly string[]).includes(value);
}
