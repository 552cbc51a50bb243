/** Problems the bot finds itself (Slack access, unsupported files, empty threads), with the reply to give. */
export type BotErrorCode =
  | "file-no-access"
  | "file-other-workspace"
  | "file-too-large"
  | "file-unsupported"
  | "no-media"
  | "budget"
  | "busy"
  | "bad-input";

export class BotError extends Error {
  readonly code: BotErrorCode;

  constructor(code: BotErrorCode, message: string) {
    super(message);
    this.name = "BotError";
    this.code = code;
  }
}
