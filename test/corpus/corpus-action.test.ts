/*
 * The bad-input corpus through the action, in process (action-scenario.ts): each image of the corpus is
 * the one changed image of a pull request. A refused file is named in the comment with a readable
 * reason, and the gate does not pass silently (the step fails, as fail-on-error "all" asks when no image
 * could be reviewed); a handled file is reviewed like any other. Nothing hangs, and no stack trace
 * reaches the comment or the log.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { failedDetails, headSha, pullRequest, reviewAnswer, run, startScenario } from "../action/action-scenario.js";
import { corpus } from "./corpus.js";

describe("the bad-input corpus through the action", { concurrency: 2 }, () => {
  for (const entry of corpus.filter((candidate) => candidate.kind === "image")) {
    const outcome = entry.ask;
    const expectation = outcome.kind === "handled" ? "handled" : `${outcome.kind} (${outcome.code})`;
    const pending = entry.pending?.action;
    it(
      `ui/${entry.name} (${entry.made}): ${expectation}`,
      pending === undefined ? {} : { todo: pending },
      async (context) => {
        const scenario = await startScenario();
        context.after(() => scenario.close());
        const path = `ui/${entry.name}`;
        const pull = pullRequest({ files: [{ filename: path, status: "added" }] });
        scenario.github.addPullRequest(pull);
        scenario.github.setFile(headSha, path, await readFile(await entry.make()));
        scenario.model.script(reviewAnswer("A settings screen.", []));
        const started = performance.now();
        const result = await run(scenario, pull);
        const seconds = (performance.now() - started) / 1000;
        const comment = scenario.github.comments(7)[0]?.body ?? "";
        context.diagnostic(`${path}: exit ${result.exitCode} in ${seconds.toFixed(2)} s`);
        const details = `${failedDetails(result)}\ncomment:\n${comment}`;
        assert.doesNotMatch(`${result.log}\n${comment}`, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace\n${details}`);
        assert.ok(seconds <= entry.bounds.wallSeconds, `within ${entry.bounds.wallSeconds} s\n${details}`);
        const refused =
          outcome.kind === "refused" || (outcome.kind === "refused-or-handled" && scenario.model.requests.length === 0);
        if (outcome.kind !== "handled" && refused) {
          assert.equal(result.exitCode, 1, `the gate does not pass\n${details}`);
          assert.equal(scenario.model.requests.length, 0, "nothing was sent to the model");
          // The comment names the file and gives the reason, without the file name repeated in front.
          const reason = outcome.says.source.replace(/^\^[^:]+: /, "");
          const line = comment
            .split("\n")
            .find((candidate) => candidate.includes(`\`${path}\``) && candidate.startsWith("- "));
          assert.ok(line !== undefined, `the comment lists ${path}\n${details}`);
          assert.match(line, new RegExp(reason), details);
        } else {
          assert.equal(result.exitCode, 0, details);
          assert.equal(scenario.model.requests.length, 1, details);
          assert.match(comment, new RegExp(`\`${path.replace(".", "\\.")}\``), details);
        }
      },
    );
  }
});
