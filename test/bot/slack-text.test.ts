import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { neutralizeMassMentions } from "../../bot/src/neutralize.js";
import { locateTargetOf } from "../../bot/src/question-intent.js";
import { markdownToMrkdwn, splitMessage } from "../../bot/src/slack-markdown.js";

describe("mass mentions from model output are neutralized", () => {
  const cases: Array<[string, string]> = [
    ["<!channel> look", "@\u2060channel look"],
    ["<!here|here> now", "@\u2060here now"],
    ["<!everyone>", "@\u2060everyone"],
    ["<!subteam^S0DESIGN|@designers> please", "@\u2060designers please"],
    ["<!subteam^S0DESIGN>", "@\u2060group"],
    ["plain @channel and @here", "plain @\u2060channel and @\u2060here"],
    ["mail me at team@heretic.example", "mail me at team@heretic.example"],
  ];
  for (const [input, expected] of cases) {
    it(`rewrites ${JSON.stringify(input)}`, () => {
      assert.equal(neutralizeMassMentions(input), expected);
    });
  }
});

describe("Markdown becomes Slack mrkdwn", () => {
  const cases: Array<[string, string]> = [
    ["**bold** and *italic*", "*bold* and _italic_"],
    ["# Title", "*Title*"],
    ["- one\n- two", "• one\n• two"],
    ["[docs](https://example.com/a?b=1)", "<https://example.com/a?b=1|docs>"],
    ["a < b & c > d", "a &lt; b &amp; c &gt; d"],
    ["`**not bold**`", "`**not bold**`"],
    ["```ts\nconst a = 1 < 2;\n```", "```\nconst a = 1 &lt; 2;\n```"],
    ["~~gone~~", "~gone~"],
  ];
  for (const [input, expected] of cases) {
    it(`converts ${JSON.stringify(input)}`, () => {
      assert.equal(markdownToMrkdwn(input), expected);
    });
  }

  it("splits long text at line boundaries and reopens a cut code block", () => {
    const code = `\`\`\`\n${Array.from({ length: 200 }, (_, index) => `line ${index}`).join("\n")}\n\`\`\``;
    const pieces = splitMessage(code, 500);
    assert.ok(pieces.length > 1);
    for (const piece of pieces) {
      assert.ok(piece.length <= 500);
      assert.equal((piece.match(/```/g) ?? []).length % 2, 0, "every piece has balanced fences");
    }
    const lines = pieces
      .join("\n")
      .split("\n")
      .filter((line) => line.startsWith("line "));
    assert.equal(lines.length, 200, "no line lost");
  });
});

describe("locate questions are told apart from other questions", () => {
  it("draws boxes only for where/locate/point/highlight, or find + a UI element", () => {
    const located: Array<[string, string]> = [
      ["where is the login button?", "login button"],
      ["Where are the error messages", "error messages"],
      ["locate the search field", "search field"],
      ["point to the save icon", "save icon"],
      ["highlight every checkbox", "checkbox"],
      ["find the submit button", "submit button"],
      ["find the settings menu?", "settings menu"],
    ];
    for (const [question, target] of located) assert.equal(locateTargetOf(question), target, question);
    for (const question of [
      "find the bug in this screenshot",
      "find the typo",
      "can you find what's wrong here?",
      "what's wrong with this layout?",
      "find any problems with the contrast",
    ]) {
      assert.equal(locateTargetOf(question), undefined, question);
    }
  });
});
