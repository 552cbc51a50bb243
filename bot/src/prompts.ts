/** The fixed instructions the bot sends with each kind of question. */

export const systemPrompt =
  "You are Glance, an assistant in Slack that answers questions about images and videos people share. " +
  "Answer concisely in Markdown. When you refer to a moment in a video, give its timestamp as m:ss.";

export const defaultQuestion = "Describe what you see, and point out anything that looks wrong or notable.";

export const ocrPrompt =
  "Read all of the text in this image. Reply with the text only, in reading order, keeping line breaks " +
  "and table rows; do not describe the image or add commentary.";

export const describePrompt = "Describe this image in a few sentences: what it shows and anything notable.";

export function fieldsPrompt(fields: readonly string[]): string {
  return `Extract these fields from the image: ${fields.join(", ")}. Use null for a field that is not present. Copy values exactly as written.`;
}

export function locatePrompt(target: string): string {
  return (
    `Locate every instance of: ${target}. Reply with JSON only, an array of objects of the form ` +
    `{"bbox_2d": [x1, y1, x2, y2], "label": "<short name>"}. Reply with [] if there is none.`
  );
}

/** What "find the ..." must name to be a locate request: "find the bug" is a question, not a box. */
const uiElementWords =
  /\b(button|link|field|icon|menu|tab|input|checkbox|check box|toggle|switch|dropdown|drop-down|logo|label|banner|header|footer|sidebar|dialog|modal|form|search bar|text box|textbox|slider|avatar)s?$/i;

/**
 * "where is the login button?" and similar: the target after the question word, or undefined. "Where
 * is/are", "locate", "point to/at", "circle" and "highlight" always locate; "find" only when it names a
 * UI element, so "find the bug in this screenshot" stays an ordinary question.
 */
export function locateTargetOf(question: string): string | undefined {
  const match =
    /^\s*(where(?:'s| is| are)|locate|find|point (?:to|at)|circle|highlight)\s+(?:the\s+|all\s+|every\s+)?(.+?)[?.!]*\s*$/i.exec(
      question,
    );
  const verb = match?.[1]?.toLowerCase();
  const target = match?.[2];
  if (verb === undefined || target === undefined) return undefined;
  if (verb === "find" && !uiElementWords.test(target)) return undefined;
  return target;
}

/** A summary request may sample a video beyond the model's duration limit instead of refusing it. */
export function asksForSummary(question: string): boolean {
  return /\b(summar|overview|tl;?dr|recap|gist)/i.test(question);
}
