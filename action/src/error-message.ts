/* The one line a user sees for a failure: the error's own message (written for people), never a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
