import { type Logger, LogLevel } from "@slack/bolt";

export interface BotLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * How log lines look: "text" is `[level] message` for people at a terminal; "json" is one JSON object
 * per line (`{"time","level","message"}`) for a log collector (GLANCE_LOG_FORMAT=json), so a message
 * with a line break or a quote in it stays one record.
 */
export type LogFormat = "text" | "json";

export type LogLevelName = "debug" | "info" | "warn" | "error";

export interface ConsoleLoggerOptions {
  /** The lowest level written. Default "info". */
  level?: "debug" | "info";
  /** Default "text". */
  format?: LogFormat;
  /** Where lines go; stderr by default (stdout stays free for a program's output). */
  write?: (line: string) => void;
  now?: () => Date;
}

/** Formats one log record as a line (without the line break), scrubbed of secrets. */
export function formatLogLine(
  format: LogFormat,
  level: LogLevelName,
  message: string,
  time: Date = new Date(),
): string {
  if (format === "json") return JSON.stringify({ time: time.toISOString(), level, message });
  return `[${level}] ${message}`;
}

/** Writes one line per message, scrubbed of secrets. */
export function consoleLogger(scrub: (text: string) => string, options: ConsoleLoggerOptions = {}): BotLogger {
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const writer = (level: LogLevelName) => (message: string) =>
    write(formatLogLine(format, level, scrub(message), now()));
  return {
    debug: options.level === "debug" ? writer("debug") : () => {},
    info: writer("info"),
    warn: writer("warn"),
    error: writer("error"),
  };
}

/** Adapts a BotLogger to Bolt's and the WebClient's Logger, scrubbing everything Bolt logs too. */
export function boltLoggerOf(logger: BotLogger, scrub: (text: string) => string): Logger {
  let level = LogLevel.INFO;
  const join = (parts: unknown[]) =>
    scrub(
      parts
        .map((part) => (part instanceof Error ? part.message : typeof part === "string" ? part : safeJson(part)))
        .join(" "),
    );
  return {
    // Bolt and the WebClient log several debug lines per API call; below DEBUG they are dropped before
    // being joined and scrubbed, which otherwise costs main-thread time on every call in a burst.
    debug: (...parts: unknown[]) => {
      if (level === LogLevel.DEBUG) logger.debug(join(parts));
    },
    info: (...parts: unknown[]) => logger.info(join(parts)),
    warn: (...parts: unknown[]) => logger.warn(join(parts)),
    error: (...parts: unknown[]) => logger.error(join(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
