/*
 * Model output must never ping a whole channel or a user group. Slack's special mentions are rewritten
 * into plain words, and the literal forms get a word joiner after the "@" so no client links them.
 */
const wordJoiner = "\u2060";

export function neutralizeMassMentions(text: string): string {
  return (
    text
      // <!channel>, <!here>, <!everyone>, with or without a label: <!here|here>.
      .replace(/<!(channel|here|everyone)(\|[^>]*)?>/gi, (_match, name: string) => `@${wordJoiner}${name}`)
      // User groups: <!subteam^S123|@designers> or <!subteam^S123>.
      .replace(/<!subteam\^[A-Z0-9]+(?:\|@?([^>]*))?>/gi, (_match, label: string | undefined) =>
        label === undefined || label === "" ? `@${wordJoiner}group` : `@${wordJoiner}${label}`,
      )
      // Any other special command such as <!date...> is harmless, but broadcast-like ones are not: drop the brackets.
      .replace(/<!([a-z]+)(\|[^>]*)?>/gi, (_match, name: string) => `!${name}`)
      .replace(/@(channel|here|everyone)\b/gi, (_match, name: string) => `@${wordJoiner}${name}`)
  );
}
