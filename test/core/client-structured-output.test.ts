/*
 * Structured answers that survive real models (issue 8 §3): json_object with the schema in the prompt
 * where the catalogue says so, json_schema where it says the model takes it, a refused json_schema
 * answered again once in json_object mode and remembered, lenient reading of the JSON, and a list
 * validated item by item.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  buildChatRequest,
  createGlanceClient,
  defaultCatalogue,
  findJson,
  type GlanceClient,
  parseStructuredAnswer,
  validateItems,
} from "@glance/core";
import { z } from "zod";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";

let fake: FakeModelStudio;
const warnings: string[] = [];

before(async () => {
  fake = await startFakeModelStudio();
});
after(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  warnings.length = 0;
});

function newClient(): GlanceClient {
  return createGlanceClient({
    apiKey: fake.apiKey,
    baseUrl: fake.baseUrl,
    sleep: async () => {},
    logger: { warn: (message) => warnings.push(message) },
  });
}

interface SentBody {
  response_format?: { type: string };
  enable_thinking?: boolean;
  messages: Array<{ role: string; content: unknown }>;
}
const sent = (index: number) => fake.requests[index]?.body as SentBody;

const schema = z.object({ animal: z.string(), count: z.number().int() });
const remoteImage = { kind: "image-url", url: "https://example.com/cat.png", width: 640, height: 480 } as const;

describe("structured output modes", () => {
  it("asks a vision model in json_object mode, which the service accepts because the prompt says JSON", async () => {
    fake.script(fakeSteps.answer('{"animal": "cat", "count": 2}'));
    const request = await buildChatRequest({
      model: "qwen3-vl-plus",
      prompt: "Count the animals.",
      inputs: [remoteImage],
      structuredOutput: { schema, name: "animals" },
    });
    const result = await newClient().completeStructured(request, schema);
    assert.deepEqual(result.value, { animal: "cat", count: 2 });
    assert.equal(sent(0).response_format?.type, "json_object");
    assert.equal(sent(0).enable_thinking, false);
    assert.match(JSON.stringify(sent(0).messages), /JSON Schema/);
  });

  it("falls back once to json_object when the service refuses json_schema, and remembers it for the model", async () => {
    const takesSchema = { ...defaultCatalogue.resolve("qwen3-vl-plus"), structuredOutput: "json-schema" as const };
    const build = () =>
      buildChatRequest({
        model: takesSchema,
        prompt: "Count the animals.",
        inputs: [remoteImage],
        structuredOutput: { schema, name: "animals" },
      });
    fake.script(fakeSteps.answer('{"animal": "cat", "count": 2}'), fakeSteps.answer('{"animal": "dog", "count": 1}'));
    const client = newClient();

    const first = await client.completeStructured(await build(), schema);
    assert.deepEqual(first.value, { animal: "cat", count: 2 });
    assert.equal(first.repaired, false);
    assert.deepEqual(
      fake.requests.map((request) => (request.body as SentBody).response_format?.type),
      ["json_schema", "json_object"],
      "refused with a 400 naming response_format, then asked again in json_object mode",
    );
    assert.equal(sent(1).enable_thinking, false, "still without thinking");
    assert.match(JSON.stringify(sent(1).messages), /JSON Schema/, "the schema moved into the prompt");
    assert.match(warnings[0] ?? "", /refused json_schema structured output for qwen3-vl-plus/);

    const second = await client.completeStructured(await build(), schema);
    assert.deepEqual(second.value, { animal: "dog", count: 1 });
    assert.equal(fake.requests.length, 3, "the second request goes straight to json_object");
    assert.equal(sent(2).response_format?.type, "json_object");
  });

  it("keeps json_schema where the service takes it (no image: text-only requests)", async () => {
    const takesSchema = { ...defaultCatalogue.resolve("qwen3-vl-plus"), structuredOutput: "json-schema" as const };
    fake.script(fakeSteps.answer('{"animal": "cat", "count": 1}'));
    const request = await buildChatRequest({
      model: takesSchema,
      prompt: "One cat, in JSON.",
      structuredOutput: { schema },
    });
    await newClient().completeStructured(request, schema);
    assert.equal(fake.requests.length, 1);
    assert.equal(sent(0).response_format?.type, "json_schema");
  });
});

describe("reading answers leniently", () => {
  it("accepts JSON after a sentence without a repair request", async () => {
    fake.script(fakeSteps.answer('Here is what I counted: {"animal": "cat", "count": 3}. Hope this helps!'));
    const request = await buildChatRequest({ model: "qwen3-vl-plus", prompt: "Count.", structuredOutput: { schema } });
    const result = await newClient().completeStructured(request, schema);
    assert.deepEqual(result.value, { animal: "cat", count: 3 });
    assert.equal(result.repaired, false);
    assert.equal(fake.requests.length, 1);
  });

  it("finds JSON bare, in a fence among prose, or after text with brackets in strings", () => {
    assert.deepEqual(findJson(' {"a": 1} '), { ok: true, value: { a: 1 } });
    assert.deepEqual(findJson('Sure.\n```json\n{"a": [1, 2]}\n```\nDone.'), { ok: true, value: { a: [1, 2] } });
    assert.deepEqual(findJson('Result (see [note]): {"text": "a } inside", "b": [{}]}'), {
      ok: true,
      value: { text: "a } inside", b: [{}] },
    });
    const none = findJson("No JSON here, just {braces and [brackets.");
    assert.equal(none.ok, false);
    assert.match(none.ok ? "" : none.problem, /not valid JSON/);
  });

  it("still says which field is wrong when the JSON does not match", () => {
    const parsed = parseStructuredAnswer('{"animal": "cat", "count": "two"}', schema);
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? "" : parsed.problem, /count: /);
  });

  it("validates a list item by item, keeping the usable ones and counting the dropped", () => {
    const finding = z.object({
      title: z.string(),
      severity: z
        .string()
        .transform((value) => (value === "critical" ? "high" : value))
        .pipe(z.enum(["high", "medium", "low"])),
      box: z.array(z.number()).length(4).optional().catch(undefined),
    });
    const result = validateItems(
      [
        { title: "Overlap", severity: "critical", box: [1, 2, 3] },
        { title: "Contrast", severity: "low", box: [1, 2, 3, 4] },
        { severity: "medium" },
        "not a finding",
      ],
      finding,
    );
    assert.deepEqual(result.items, [
      { title: "Overlap", severity: "high", box: undefined },
      { title: "Contrast", severity: "low", box: [1, 2, 3, 4] },
    ]);
    assert.equal(result.dropped, 2);
    assert.match(result.problems[0] ?? "", /^item 3: title: /);
    assert.match(result.problems[1] ?? "", /^item 4: \(root\): /);
    assert.deepEqual(validateItems(undefined, finding), { items: [], dropped: 0, problems: [] });
    assert.equal(validateItems({ title: "x" }, finding).dropped, 1);
  });
});
