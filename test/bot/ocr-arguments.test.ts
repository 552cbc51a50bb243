import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BotError } from "../../bot/src/bot-error.js";
import { parseOcrArguments } from "../../bot/src/ocr/ocr-arguments.js";

/** The reply a parse failure gives, as the user would read it. */
function refusal(text: string): string {
  try {
    parseOcrArguments(text);
  } catch (error) {
    assert.ok(error instanceof BotError);
    assert.equal(error.code, "bad-input");
    return error.message;
  }
  assert.fail(`"${text}" was accepted`);
}

describe("/ocr arguments", () => {
  it("reads nothing as the channel's latest image, privately", () => {
    assert.deepEqual(parseOcrArguments("  "), { target: { kind: "latest-image" }, share: false, fields: undefined });
    assert.deepEqual(parseOcrArguments("share"), { target: { kind: "latest-image" }, share: true, fields: undefined });
    assert.deepEqual(parseOcrArguments("SHARE"), { target: { kind: "latest-image" }, share: true, fields: undefined });
  });

  it("takes share only as the last word on its own, so a field named Share price stays a field", () => {
    assert.deepEqual(parseOcrArguments("fields: Name, Share price"), {
      target: { kind: "latest-image" },
      share: false,
      fields: ["Name", "Share price"],
    });
    assert.deepEqual(parseOcrArguments("fields: Total,, Date ,  share"), {
      target: { kind: "latest-image" },
      share: true,
      fields: ["Total", "Date"],
    });
  });

  it("reads a message link, and a thread reply's link through its thread", () => {
    assert.deepEqual(parseOcrArguments("<https://acme.slack.com/archives/C0DESIGN/p1712345678123456>"), {
      target: { kind: "message-link", channel: "C0DESIGN", ts: "1712345678.123456", threadTs: "1712345678.123456" },
      share: false,
      fields: undefined,
    });
    const reply = "https://acme.slack.com/archives/C0DESIGN/p1712345699000100?thread_ts=1712345678.123456&cid=C0DESIGN";
    assert.deepEqual(parseOcrArguments(`${reply} share`), {
      target: { kind: "message-link", channel: "C0DESIGN", ts: "1712345699.000100", threadTs: "1712345678.123456" },
      share: true,
      fields: undefined,
    });
  });

  it("reads a URL as Slack sends it, with or without angle brackets and a label", () => {
    for (const text of [
      "https://example.com/receipt.png",
      "<https://example.com/receipt.png>",
      "<https://example.com/receipt.png|receipt.png>",
    ]) {
      assert.deepEqual(parseOcrArguments(text).target, { kind: "url", url: "https://example.com/receipt.png" }, text);
    }
  });

  it("refuses what it cannot read, saying what it accepts", () => {
    assert.match(refusal("hello"), /didn't understand "hello"\. Use `\/ocr` for the channel's latest image/);
    assert.match(refusal("ftp://example.com/a.png"), /didn't understand/);
    assert.match(refusal("fields:"), /Name at least one field after `fields:`/);
    assert.match(refusal("fields: , , share"), /Name at least one field/);
    assert.ok(refusal("x".repeat(500)).length < 500, "a long argument is cut in the reply");
  });
});
