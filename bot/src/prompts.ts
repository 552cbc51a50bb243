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

/** "where is the login button?" and similar: the target after the question word, or undefined. */
export function locateTargetOf(question: string): string | undefined {
  const match =
    /^\s*(?:where(?:'s| is| are)|locate|find|point (?:to|at)|circle|highlight)\s+(?:the\s+|all\s+|every\s+)?(.+?)[?.!]*\s*$/i.exec(
      question,
    );
  return match?.[1];
}

/** A summary request may sample a video beyond the model's duration limit instead of refusing it. */
export function asksForSummary(question: string): boolean {
  return /\b(summar|overview|tl;?dr|recap|gist)/i.test(question);
}
