/** What a Slack question asks for beyond an answer in words: boxes on the image, or a whole-video summary. */

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
