import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { neutralizeMassMentions, neutralizeModelOutput } from "../../bot/src/neutralize.js";
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
    // Unclosed, as fast-check found it: a quote of it followed by "|x>" would become <!here|x>.
    ["quoted: <!here", "quoted: <\u2060!here"],
  ];
  for (const [input, expected] of cases) {
    it(`rewrites ${JSON.stringify(input)}`, () => {
      assert.equal(neutralizeMassMentions(input), expected);
    });
  }
});

describe("mentions and links from model output are neutralized", () => {
  const joiner = "\u2060";
  const cases: Array<[string, string]> = [
    ["ping <@U0ABC> and <@W0DEF|bea>", `ping @${joiner}U0ABC and @${joiner}bea`],
    ["see <#C0GEN|general> and <#C0RAND>", `see #${joiner}general and #${joiner}C0RAND`],
    [
      "<!subteam^S0DESIGN|@designers> <!here> <!channel|channel> <!everyone>",
      `@${joiner}designers @${joiner}here @${joiner}channel @${joiner}everyone`,
    ],
    ["due <!date^1700000000^{date_short}|Nov 14>", "due Nov 14"],
    ["<https://evil.example|https://slack.com/signin>", "<https://evil.example>"],
    ["<https://evil.example|slack.com>", "<https://evil.example>"],
    ["<https://example.com/docs|the docs>", "the docs (<https://example.com/docs>)"],
    ["[https://slack.com/signin](https://evil.example)", "<https://evil.example>"],
    ['![a screenshot](https://example.com/a.png "title")', "a screenshot (<https://example.com/a.png>)"],
    ["[a [nested] label](https://evil.example)", `[a [nested] label]${joiner}(https://evil.example)`],
    ["[1]: https://evil.example", `[1]${joiner}: https://evil.example`],
    ["&lt;@U0ABC&gt; wrote", `@${joiner}U0ABC wrote`],
    ["`[kept](https://example.com)` in code", "`[kept](https://example.com)` in code"],
    ["| x < 5 | y > 3 |", "| x < 5 | y > 3 |"],
  ];
  for (const [input, expected] of cases) {
    it(`rewrites ${JSON.stringify(input)}`, () => {
      assert.equal(neutralizeModelOutput(input), expected);
    });
  }
});

describe("Markdown becomes Slack mrkdwn", () => {
  const cases: Array<[string, string]> = [
    ["**bold** and *italic*", "*bold* and _italic_"],
    ["# Title", "*Title*"],
    ["- one\n- two", "• one\n• two"],
    // Slack shows a link's destination, never other words in its place: the words stay in front of it.
    ["[docs](https://example.com/a?b=1)", "docs (<https://example.com/a?b=1>)"],
    ["[https://slack.com/signin](https://evil.example/x)", "<https://evil.example/x>"],
    ["<https://example.com/a>", "<https://example.com/a>"],
    ["<https://evil.example|https://slack.com/signin>", "&lt;https://evil.example|https://slack.com/signin&gt;"],
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
