/*
 * The CLI's region: --region and DASHSCOPE_REGION pick one of the four documented endpoints, an explicit
 * DASHSCOPE_BASE_URL wins, and a wrong name is one readable line listing the known ones. Runs the built
 * `glance` (npm run build first).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { regionBaseUrls } from "@glance/core";
import { type FakeModelStudio, startFakeModelStudio } from "../fakes/model-studio.js";
import { runGlance } from "../support/run-glance.js";

const screenshot = fileURLToPath(new URL("../../examples/settings-screen.png", import.meta.url));
const ask = ["ask", screenshot, "--prompt", "What looks wrong?"];

describe("glance --region", () => {
  let fake: FakeModelStudio;
  before(async () => {
    fake = await startFakeModelStudio();
  });
  after(() => fake.close());

  it("shows the region's endpoint in the plan, from the flag or from DASHSCOPE_REGION", async () => {
    const flagged = await runGlance([...ask, "--dry-run", "--region", "us"]);
    assert.equal(flagged.exitCode, 0, flagged.stderr);
    assert.match(
      flagged.stdout,
      new RegExp(`Endpoint: ${escapeForPattern(regionBaseUrls.us)}\\nRequest \\(base64 elided\\)`),
    );

    const fromEnvironment = await runGlance([...ask, "--dry-run", "--json"], { DASHSCOPE_REGION: "hk" });
    assert.equal(fromEnvironment.exitCode, 0, fromEnvironment.stderr);
    assert.equal((JSON.parse(fromEnvironment.stdout) as { endpoint: string }).endpoint, regionBaseUrls.hk);

    const both = await runGlance([...ask, "--dry-run", "--region", "cn"], { DASHSCOPE_REGION: "hk" });
    assert.match(both.stdout, new RegExp(`Endpoint: ${escapeForPattern(regionBaseUrls.cn)}\\n`), "the flag wins");

    const neither = await runGlance([...ask, "--dry-run"]);
    assert.match(neither.stdout, new RegExp(`Endpoint: ${escapeForPattern(regionBaseUrls.intl)}\\n`));
  });

  it("sends to an explicit DASHSCOPE_BASE_URL even when a region is set", async () => {
    const run = await runGlance([...ask, "--region", "cn"], {
      DASHSCOPE_API_KEY: fake.apiKey,
      DASHSCOPE_BASE_URL: fake.baseUrl,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /Fake Model Studio received 1 image/);
    assert.equal(fake.requests.length, 1);
  });

  it("refuses an unknown region in one line that lists the known ones", async () => {
    const flag = await runGlance([...ask, "--region", "eu"]);
    assert.equal(flag.exitCode, 64);
    assert.match(
      flag.stderr,
      /^glance: --region is "eu", but must be one of: intl \(https:\/\/dashscope-intl[^\n]*hk \(/,
    );
    assert.match(flag.stderr, /^[^\n]+\n$/);

    const variable = await runGlance([...ask], { DASHSCOPE_REGION: "mars" });
    assert.equal(variable.exitCode, 65);
    assert.match(variable.stderr, /^glance: DASHSCOPE_REGION is "mars", but must be one of: intl/);
    assert.match(variable.stderr, /^[^\n]+\n$/);
  });
});

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
