/*
 * Properties of what the bot makes of model output, checked on generated text (fast-check): text
 * built from the pieces that matter to Slack (mentions, special commands, links in every spelling,
 * entities, code, brackets) mixed with arbitrary characters. Whatever the model writes:
 * - nothing in it pings (no <@…>, <#…>, <!…>, and no bare @channel/@here/@everyone);
 * - every link shows its real destination (no link with a label; a label that names another address
 *   is dropped);
 * - mrkdwn has no stray angle brackets or ampersands, and plain text passes through unchanged;
 * - a streamed answer, sent piece by piece with its hold-back, is exactly the neutralized answer and
 *   never has to be taken back.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { streamableEnd } from "../../bot/src/answer-stream.js";
import { neutralizeMassMentions, neutralizeModelOutput } from "../../bot/src/neutralize.js";
import { markdownToMrkdwn, splitMessage } from "../../bot/src/slack-markdown.js";

const runs = { numRuns: 300 };

const addresses = [
  "https://slack.com/signin",
  "https://evil.example/login?next=/a&b=1",
  "http://intranet.example/path_(x)",
  "mailto:help@example.com",
  "slack.com",
  "www.slack.com/signin",
  "https://en.wikipedia.org/wiki/Foo_(bar)",
  // Longer than the stream's hold-back: a link still arriving must not be sent half-way.
  `https://evil.example/${"long-path/".repeat(15)}end`,
];
const labels = ["docs", "click here", "the *bold* guide", "https://slack.com/signin", "slack.com", "a|b", "@here", ""];
const address = fc.constantFrom(...addresses);
const label = fc.oneof(fc.constantFrom(...labels), fc.string({ maxLength: 12 }));

/** Pieces Slack or a Markdown reader would act on, in the spellings a model might produce. */
const slackPiece = fc.oneof(
  fc.constantFrom(
    "<@U0ABC>",
    "<@W0DEF|bea>",
    "<#C0GEN|general>",
    "<#C0RAND>",
    "<!here>",
    "<!channel>",
    "<!everyone|everyone>",
    "<!subteam^S0DESIGN|@designers>",
    "<!subteam^S0DESIGN>",
    "<!date^1700000000^{date}|Nov 14>",
    "@channel",
    "@here",
    "@everyone",
    "&lt;@U0ABC&gt;",
    "&lt;!here&gt;",
    "&amp;",
    "```",
    "`",
    "**",
    "\n",
    "\n\n",
    "# ",
    "- ",
    "> ",
  ),
  fc.tuple(label, address).map(([text, url]) => `[${text}](${url})`),
  fc.tuple(label, address).map(([text, url]) => `![${text}](${url} "title")`),
  fc.tuple(label, address).map(([text, url]) => `<${url}|${text}>`),
  address.map((url) => `<${url}>`),
  fc.tuple(label, address).map(([text, url]) => `[${text}]: ${url}`),
  fc.constantFrom("<", ">", "|", "[", "]", "(", ")", "!", "@", "#", "&", "^", ":", "/", " "),
);
const modelText = fc
  .array(fc.oneof({ weight: 3, arbitrary: slackPiece }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), {
    maxLength: 30,
  })
  .map((pieces) => pieces.join(""));

/** A Slack control sequence that would ping or link a person, a group or a channel. */
const mentionSequence = /<[@#!]|&lt;[@#!]/;
/** A link whose shown text differs from its destination: <destination|text>. */
const labelledLink = /<[^<>\s|]+\|[^<>\n]*>/;
const bareMassMention = /@(channel|here|everyone)\b/i;

function assertNothingPings(text: string): void {
  assert.doesNotMatch(text, mentionSequence);
  assert.doesNotMatch(text, labelledLink);
  assert.doesNotMatch(text, bareMassMention);
}

describe("model output, whatever it is, cannot ping or disguise a link", () => {
  it("neutralized Markdown (streamed answers) has no mention, no labelled link, no bare mass mention", () => {
    fc.assert(
      fc.property(modelText, (text) => assertNothingPings(neutralizeModelOutput(text))),
      runs,
    );
  });

  it("outside code, no Markdown link or reference definition survives", () => {
    // Without backticks there is no code, so every "](" would be a link.
    const withoutCode = modelText.filter((text) => !text.includes("`"));
    fc.assert(
      fc.property(withoutCode, (text) => {
        const neutralized = neutralizeModelOutput(text);
        assert.doesNotMatch(neutralized, /\]\(/);
        assert.doesNotMatch(neutralized, /^\s{0,3}\[[^\]\n]*\]:/m);
      }),
      runs,
    );
  });

  it("neutralizing twice changes nothing more", () => {
    fc.assert(
      fc.property(modelText, (text) => {
        const once = neutralizeModelOutput(text);
        assert.equal(neutralizeModelOutput(once), once);
      }),
      runs,
    );
  });

  it("mrkdwn (updated answers) keeps those guarantees too", () => {
    fc.assert(
      fc.property(modelText, (text) => assertNothingPings(markdownToMrkdwn(neutralizeModelOutput(text)))),
      runs,
    );
  });

  it("a link whose label names an address shows only its destination; words stay in front of it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...labels.filter((text) => text !== "")),
        address.filter((url) => /^https?:/.test(url)),
        fc.constantFrom("markdown", "slack"),
        (text, url, spelling) => {
          const written = spelling === "markdown" ? `[${text}](${url})` : `<${url}|${text}>`;
          const neutralized = neutralizeModelOutput(written);
          const namesAddress = /slack\.com/.test(text);
          if (namesAddress) {
            assert.equal(neutralized, `<${url}>`);
          } else {
            assert.ok(neutralized.endsWith(`(<${url}>)`), neutralized);
          }
          assert.ok(markdownToMrkdwn(neutralized).includes(`<${url}>`));
        },
      ),
      runs,
    );
  });
});

describe("Markdown to mrkdwn, on any text", () => {
  const anyText = fc.oneof(modelText, fc.string({ maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 60 }));

  it("leaves no angle bracket but its own links, no label in them, and no bare ampersand", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const mrkdwn = markdownToMrkdwn(text);
        // Links as the converter writes them, and the quote marker "> " at the start of a line, are mrkdwn.
        const withoutLinks = mrkdwn.replace(/<(?:https?|mailto):[^\s<>|]+>/gi, "").replace(/^> /gm, "");
        assert.doesNotMatch(withoutLinks, /[<>]/);
        assert.doesNotMatch(withoutLinks, /&(?!amp;|lt;|gt;)/);
      }),
      runs,
    );
  });

  it("passes plain text through unchanged", () => {
    const plain = fc.string({ unit: fc.constantFrom(..."abcdefghij KLMNOP0123456789,.;?'\""), maxLength: 120 });
    fc.assert(
      fc.property(plain, (text) => assert.equal(markdownToMrkdwn(text), text)),
      runs,
    );
  });

  it("escapes <, > and & so that unescaping gives the text back", () => {
    const escapable = fc.string({ unit: fc.constantFrom(..."abc xyz<>&;"), maxLength: 80 });
    fc.assert(
      fc.property(escapable, (text) => {
        // After a letter, so no line starts with ">" (a quote).
        const unescaped = markdownToMrkdwn(`x${text}`)
          .slice(1)
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&amp;/g, "&");
        assert.equal(unescaped, text);
      }),
      runs,
    );
  });

  it("splits into pieces within the limit, each with balanced code fences, losing nothing", () => {
    const lines = fc.array(fc.oneof(fc.constant("```"), fc.string({ maxLength: 90 })), { maxLength: 60 });
    fc.assert(
      fc.property(lines, fc.integer({ min: 60, max: 400 }), (parts, limit) => {
        const text = markdownToMrkdwn(parts.join("\n"));
        const pieces = splitMessage(text, limit);
        for (const piece of pieces) {
          assert.ok(piece.length <= limit, `a piece of ${piece.length} > ${limit}`);
          assert.equal((piece.match(/```/g) ?? []).length % 2, 0, "balanced fences");
        }
        const content = (value: string) => value.replace(/```/g, "").replace(/\s+/g, "");
        assert.equal(content(pieces.join("")), content(text));
      }),
      runs,
    );
  });
});

describe("a streamed answer, piece by piece", () => {
  /** The hold-back of AnswerStream: the newest characters wait for what follows them. */
  const holdBack = 80;
  /** Model text as tokens separated by spaces (no inline code, which a later backtick could still open). */
  const streamedText = fc
    .array(slackPiece, { maxLength: 40 })
    .map((pieces) => pieces.join(" "))
    .filter((text) => !text.includes("`"));
  const deltaSizes = fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 60 });

  it("sends exactly the neutralized answer, never text it has to take back", () => {
    fc.assert(
      fc.property(streamedText, deltaSizes, (text, sizes) => {
        let received = 0;
        let sent = "";
        let index = 0;
        while (received < text.length) {
          received = Math.min(text.length, received + (sizes[index % sizes.length] ?? 1));
          index += 1;
          // What AnswerStream does on each throttled flush.
          const cleaned = neutralizeModelOutput(text.slice(0, received));
          assert.ok(cleaned.startsWith(sent), `already sent ${JSON.stringify(sent)}, now ${JSON.stringify(cleaned)}`);
          const end = streamableEnd(cleaned, sent.length, Math.max(sent.length, cleaned.length - holdBack));
          assert.ok(end >= sent.length && end <= cleaned.length);
          sent = cleaned.slice(0, end);
        }
        const final = neutralizeModelOutput(text);
        assert.ok(final.startsWith(sent));
        assertNothingPings(final);
      }),
      runs,
    );
  });
});

describe("any text the bot posts (error replies quote user text and file names)", () => {
  /** Pieces that could join into a mass mention once a rewrite removes what stood between them. */
  const joining = fc.constantFrom("<", ">", "!", "|", "@", "^", "<!", "here", "channel", "everyone", "subteam", "<!x>");
  const anyText = fc
    .array(fc.oneof({ weight: 3, arbitrary: slackPiece }, joining, fc.string({ maxLength: 6 })), { maxLength: 30 })
    .map((pieces) => pieces.join(""));

  it("pings no one en masse: no <!here>, <!channel>, <!everyone>, user group or bare @here left", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const cleaned = neutralizeMassMentions(text);
        assert.doesNotMatch(cleaned, /<!(channel|here|everyone|subteam)\b/i);
        assert.doesNotMatch(cleaned, bareMassMention);
        assert.equal(neutralizeMassMentions(cleaned), cleaned, "cleaning twice changes nothing more");
      }),
      runs,
    );
  });
});
