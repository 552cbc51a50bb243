import { type Logger, LogLevel } from "@slack/bolt";

export interface BotLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes one line per message to stderr, scrubbed of secrets. */
export function consoleLogger(scrub: (text: string) => string, level: "debug" | "info" = "info"): BotLogger {
  const write = (name: string) => (message: string) => process.stderr.write(`[${name}] ${scrub(message)}\n`);
  return {
    debug: level === "debug" ? write("debug") : () => {},
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
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
