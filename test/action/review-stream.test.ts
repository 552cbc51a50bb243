/*
 * The reviews stream: an image is downloaded when its turn comes, not all of them before the first
 * model request. With concurrency 1, at most two images (the one in flight and the next, planned) are
 * downloaded ahead of the requests sent, so the run never holds every image of the pull request.
 * Ordering, not timing: each blob download records how many model requests had arrived by then.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, test } from "node:test";
import sharp from "sharp";
import {
  baseSha,
  failedDetails,
  headSha,
  pullRequest,
  reviewAnswer,
  run,
  type Scenario,
  screenPng,
  startScenario,
} from "./action-scenario.js";

let scenario: Scenario;
beforeEach(async () => {
  scenario = await startScenario();
});
afterEach(() => scenario.close());

/** A noise PNG over 1 MB, so the contents API does not embed it and its bytes come from the blob API. */
async function largePng(): Promise<Buffer> {
  const width = 700;
  const height = 700;
  const png = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  assert.ok(png.length > 1024 * 1024);
  return png;
}

test("each image is downloaded when its turn comes: at most two ahead of the model requests", async () => {
  const { github, model } = scenario;
  const count = 6;
  const files = Array.from({ length: count }, (_unused, index) => ({
    filename: `ui/screen-${index}.png`,
    status: "modified" as const,
  }));
  const pull = pullRequest({ files });
  github.addPullRequest(pull);
  for (const file of files) {
    github.setFile(baseSha, file.filename, await largePng());
    github.setFile(headSha, file.filename, await largePng());
  }
  model.script(...files.map((file) => reviewAnswer(file.filename, [])));
  // How many model requests had arrived when each blob was requested.
  const requestsAtDownload: number[] = [];
  github.whenRequested(
    /^GET \/repos\/[^/]+\/[^/]+\/git\/blobs\//,
    () => requestsAtDownload.push(model.requests.length),
    1000,
  );

  const result = await run(scenario, pull, { concurrency: "1", "max-images": String(count) });
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(result.outputs["images-reviewed"], String(count));
  assert.equal(requestsAtDownload.length, count * 2, "each side's blob is downloaded once");
  // Two blobs per image: the n-th download (from 0) belongs to image floor(n / 2) + 1 in review order.
  const mostAhead = Math.max(
    ...requestsAtDownload.map((requests, download) => Math.floor(download / 2) + 1 - requests),
  );
  assert.ok(
    mostAhead <= 2,
    `images downloaded ahead of the model requests: ${mostAhead} (model requests at each download: ${requestsAtDownload.join(", ")})`,
  );
});

/**
 * A lossless WebP whose compressed pixels are scrambled while the RIFF container stays whole (sizes,
 * header, dimensions): only a decode can tell.
 */
async function damagedWebp(heading: string): Promise<Buffer> {
  const webp = await sharp(await screenPng(heading, { width: 400 }))
    .webp({ lossless: true })
    .toBuffer();
  const third = Math.floor(webp.length / 3);
  return Buffer.from(webp).fill(0xff, third, 2 * third);
}

test("the plan reads headers only: a dry run estimates an image whose pixels cannot be decoded; a real run skips it when preparing", async () => {
  const { github, model } = scenario;
  const pull = pullRequest({
    files: [
      { filename: "ui/damaged.webp", status: "added" },
      { filename: "ui/fine.png", status: "added" },
    ],
  });
  github.addPullRequest(pull);
  github.setFile(headSha, "ui/damaged.webp", await damagedWebp("Damaged"));
  github.setFile(headSha, "ui/fine.png", await screenPng("Fine"));

  const dry = await run(scenario, pull, { "dry-run": "true" });
  assert.equal(dry.exitCode, 0, failedDetails(dry));
  assert.match(dry.summary, /- `ui\/damaged\.webp`: about [\d,]+ tokens/, "estimated from its header, not decoded");
  assert.match(dry.summary, /2 image\(s\) would be reviewed/);

  model.script(reviewAnswer("fine", []));
  const result = await run(scenario, pull);
  assert.equal(result.exitCode, 0, failedDetails(result));
  assert.equal(model.requests.length, 1);
  assert.equal(result.outputs["images-reviewed"], "1");
  assert.match(github.comments(7)[0]?.body ?? "", /`ui\/damaged\.webp`: /);
});

test("the first item downloads alone, then at most `preparing` at a time, so the first request is not slowed by the ones after it", async () => {
  const { streamInOrder } = await import("../../action/src/review-stream.js");
  let downloading = 0;
  let mostDownloading = 0;
  let downloadingWhenFirstEnded = 0;
  const sentAt: number[] = [];
  const started = performance.now();
  await streamInOrder(
    Array.from({ length: 8 }, (_unused, index) => index),
    { concurrency: 4, ahead: 4, preparing: 2 },
    {
      prepare: async (item) => {
        downloading += 1;
        mostDownloading = Math.max(mostDownloading, downloading);
        if (item === 0) {
          // Whatever else has started by the time the first download ends.
          await new Promise((resolve) => setTimeout(resolve, 20));
          downloadingWhenFirstEnded = downloading;
          downloading -= 1;
          return item;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        downloading -= 1;
        return item;
      },
      decide: () => true,
      ready: async () => true,
      send: async (item) => {
        sentAt[item] = performance.now() - started;
      },
    },
  );
  assert.equal(mostDownloading, 2);
  assert.equal(downloadingWhenFirstEnded, 1, "the first item downloads alone");
  assert.equal(sentAt.length, 8, "every item was sent");
  // The first item was not held behind the others: it was sent before the last download began.
  assert.ok((sentAt[0] ?? Number.POSITIVE_INFINITY) < (sentAt[7] ?? 0));
});
