/*
 * Properties of `/ocr` argument parsing, on generated user input (fast-check): words, links in Slack's
 * spellings, `fields:`, `share`, and arbitrary text. Whatever the user types:
 * - parsing returns or refuses with a BotError ("bad-input"), never anything else;
 * - a refusal is one line the user can read (no line break from the input, no lone surrogate);
 * - a URL target is one http(s) URL with no space, `|` or `>` in it; a message link names its channel and ts;
 * - fields are trimmed, non-empty and comma-free; `share` is read only as the last word.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BotError } from "../../bot/src/bot-error.js";
import { parseOcrArguments } from "../../bot/src/ocr/ocr-arguments.js";

const runs = { numRuns: 500 };

const piece = fc.oneof(
  fc.constantFrom(
    "share",
    "SHARE",
    "fields:",
    "Fields: ",
    ",",
    " ",
    "\n",
    "\r\n",
    "\t",
    "\u2028",
    "<",
    ">",
    "|",
    "<!here>",
    "<@U0ABC>",
    "https://acme.slack.com/archives/C0DESIGN/p1712345678123456",
    "?thread_ts=1712345678.000100&cid=C0DESIGN",
    "<https://example.com/a.png|a.png>",
    "https://example.com/image.png",
    "http://",
    "😀",
    "\ud83d",
  ),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: "binary", maxLength: 10 }),
);
const userText = fc.oneof(
  fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join("")),
  fc.string({ unit: "binary", maxLength: 200 }),
);

/** A lone UTF-16 surrogate: Slack shows it as a broken character. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("/ocr arguments, on anything a user types", () => {
  it("parse or refuse with one readable line, never anything else", () => {
    fc.assert(
      fc.property(userText, (text) => {
        let parsed: ReturnType<typeof parseOcrArguments>;
        try {
          parsed = parseOcrArguments(text);
        } catch (error) {
          assert.ok(error instanceof BotError, `not a BotError: ${String(error)}`);
          assert.equal(error.code, "bad-input");
          assert.doesNotMatch(error.message, /[\r\n\u2028\u2029\u0085\v\f]/, "one line");
          assert.doesNotMatch(error.message, loneSurrogate, "no broken character");
          assert.ok(error.message.length <= 400, `${error.message.length} characters`);
          return;
        }
        const { target, fields } = parsed;
        if (target.kind === "url") {
          assert.match(target.url, /^https?:\/\/[^\s|>]+$/);
        }
        if (target.kind === "message-link") {
          assert.match(target.channel, /^[A-Z0-9]+$/);
          assert.match(target.ts, /^\d{10}\.\d{6}$/);
          assert.match(target.threadTs, /^\d+\.\d+$/);
        }
        for (const field of fields ?? []) {
          assert.notEqual(field, "");
          assert.equal(field, field.trim());
          assert.ok(!field.includes(","));
        }
        if (fields !== undefined) assert.ok(fields.length > 0);
      }),
      runs,
    );
  });

  it("share is read from the last word alone, and the rest parses as it would without it", () => {
    const argument = fc.oneof(
      fc.constant(""),
      fc.constant("fields: Total, Date"),
      fc.constant("<https://example.com/receipt.png>"),
      fc.constant("https://acme.slack.com/archives/C0DESIGN/p1712345678123456"),
    );
    fc.assert(
      fc.property(
        argument,
        fc.constantFrom("share", "SHARE", "Share"),
        fc.constantFrom(" ", "  ", "\t"),
        (text, word, gap) => {
          const plain = parseOcrArguments(text);
          const shared = parseOcrArguments(`${text}${gap}${word}`);
          assert.equal(plain.share, false);
          assert.equal(shared.share, true);
          assert.deepEqual(shared.target, plain.target);
          assert.deepEqual(shared.fields, plain.fields);
        },
      ),
      runs,
    );
  });
});
