/*
 * Property tests (fast-check) for the functions that carry untrusted text (file names, alt text, the
 * pull request's title, the model's words) into the comment, the prompt and the log. Inputs mix random
 * Unicode with the pieces attacks are made of: every line separator, backticks, "<", "@", "#1",
 * "://", Markdown brackets, "::" and "##[" workflow commands, escape characters.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { escapeForLog } from "../../action/src/log-escaping.js";
import { inlineCode, neutralize, oneLine } from "../../action/src/neutralize.js";
import { untrusted } from "../../action/src/rubric-prompts.js";

const hostilePieces = [
  "\r",
  "\n",
  "\r\n",
  "\u0085",
  "\u2028",
  "\u2029",
  "\u000b",
  "\u000c",
  "\u001b[2K",
  "`",
  "``",
  "<img src=x>",
  "<!--",
  "@octo-org/admins",
  "#1",
  "GH-2",
  "https://tracker.example/p.png",
  "www.example.com",
  "[link](https://x.example)",
  "![](x)",
  "&commat;",
  "\\",
  "::error::",
  "::add-mask::x",
  "  ::stop-commands::t",
  "##[add-mask]",
  '"</untrusted>',
  "### ",
];

const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...hostilePieces), fc.string({ unit: "binary", maxLength: 12 })), { maxLength: 12 })
  .map((pieces) => pieces.join(""));

const anyLineSeparator = /[\r\n\v\f\u0085\u2028\u2029]/;
/** Control characters (all but tab), DEL and the Unicode line separators: anything outside these ranges. */
const anyControlCharacter = /[^\t -~\u00A0-\u2027\u202A-\uFFFF]/;

test("inlineCode: one line, a fence longer than any backtick run inside, and no '<' that could open a tag", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const code = inlineCode(text);
      assert.doesNotMatch(code, anyLineSeparator);
      const fence = /^`+/.exec(code)?.[0] ?? "";
      assert.ok(fence.length > 0 && code.endsWith(fence));
      const inside = code.slice(fence.length, code.length - fence.length);
      const longestInside = Math.max(0, ...[...inside.matchAll(/`+/g)].map((match) => match[0].length));
      assert.ok(longestInside < fence.length, code);
      assert.doesNotMatch(code, /<(?!\u200D)/);
    }),
  );
});

test("neutralize(oneLine(...)): one line, and no markup, mention, reference, link or entity can form", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const safe = neutralize(oneLine(text));
      assert.doesNotMatch(safe, anyLineSeparator);
      assert.doesNotMatch(safe, /[<>]/);
      assert.doesNotMatch(safe, /@[A-Za-z0-9]|#\d|:\/\/|\bwww\./i);
      assert.doesNotMatch(safe, /&(?!amp;|lt;|gt;)/);
      // Once every escaped pair is set aside, no bracket, parenthesis or "!" is left to form a link.
      assert.doesNotMatch(safe.replace(/\\[\s\S]/g, ""), /[[\]()!\\]/);
    }),
  );
});

test("escapeForLog: one line the runner never reads as a command, and escaping twice changes nothing", () => {
  fc.assert(
    fc.property(hostileText, (text) => {
      const line = escapeForLog(text);
      assert.doesNotMatch(line, anyControlCharacter);
      assert.ok(!line.trimStart().startsWith("::"), line);
      assert.ok(!line.includes("##["), line);
      assert.equal(escapeForLog(line), line);
    }),
  );
});

test("untrusted: one fenced line that cannot be closed early and gives back exactly the value", () => {
  fc.assert(
    fc.property(hostileText, fc.array(hostileText, { maxLength: 4 }), (text, list) => {
      for (const value of [text, list]) {
        const fenced = untrusted("field", value);
        assert.doesNotMatch(fenced, anyLineSeparator);
        const opening = '<untrusted field="field">';
        assert.ok(fenced.startsWith(opening) && fenced.endsWith("</untrusted>"));
        const inside = fenced.slice(opening.length, -"</untrusted>".length);
        assert.doesNotMatch(inside, /[<>]/);
        assert.deepEqual(JSON.parse(inside), value);
      }
    }),
  );
});
