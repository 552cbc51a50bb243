/*
 * The container's contents without Docker (which cannot run here): scripts/build-bot-artifact.sh, the
 * very command the Dockerfile runs, builds the production artifact into an empty directory, and the bot
 * starts from there with nothing but its environment, as the image's CMD starts it. The Dockerfile and
 * compose.yaml are checked to use that script and that command, so the image cannot drift from what
 * this test ran.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { parse } from "yaml";
import { type FakeModelStudio, fakeSteps, startFakeModelStudio } from "../fakes/model-studio.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.js";
import { createSlackDriver } from "../fakes/slack-driver.js";
import { botReplies, waitFor } from "../support/start-bot.js";

const repository = fileURLToPath(new URL("../../", import.meta.url));
const channel = "C0ARTIFACT";
const user = "U0ARTIFACT";

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("No port.");
  return address.port;
}

/** The packages installed in the artifact's virtual store, by directory name ("sharp@0.35.5", "@img+sharp-linux-x64@0.35.5"). */
function storedPackages(artifact: string): string[] {
  return readdirSync(join(artifact, "node_modules/.pnpm"));
}

describe("the production artifact (what the container image holds)", { timeout: 900_000 }, () => {
  let directory: string;
  let artifact: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "glance-artifact-"));
    artifact = join(directory, "app");
    // The script as the Dockerfile runs it; pnpm comes from the workspace's own devDependency here.
    const built = spawnSync("sh", [join(repository, "scripts/build-bot-artifact.sh"), artifact], {
      cwd: repository,
      encoding: "utf8",
      env: { ...process.env, PATH: `${join(repository, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}` },
      timeout: 600_000,
    });
    assert.equal(built.status, 0, `the artifact built (${built.stderr}${built.stdout})`);
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("refuses a directory that is not empty", () => {
    const refused = spawnSync("sh", [join(repository, "scripts/build-bot-artifact.sh"), artifact], {
      cwd: repository,
      encoding: "utf8",
    });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /is not empty: the artifact is built into a new or empty directory only/);
  });

  it("holds the built bot and core with production dependencies only, sharp and ffmpeg for this platform", () => {
    assert.ok(existsSync(join(artifact, "dist/index.js")));
    assert.ok(existsSync(join(artifact, "dist/health/probe.js")), "the HEALTHCHECK's probe");
    assert.ok(existsSync(join(artifact, "node_modules/@glance/core/dist/index.js")), "core's build, copied in");
    assert.ok(!existsSync(join(artifact, "src")), "no sources");
    assert.ok(!existsSync(join(artifact, "node_modules/@glance/core/src")), "no core sources");
    const packages = storedPackages(artifact);
    for (const development of ["typescript@", "tsx@", "@biomejs", "fast-check@", "esbuild@", "yaml@"]) {
      assert.ok(!packages.some((name) => name.startsWith(development)), `no ${development} in production`);
    }
    const platform = `linux-${process.arch}`;
    assert.ok(packages.some((name) => name.startsWith("sharp@")));
    assert.ok(
      packages.some((name) => name.startsWith(`@img+sharp-${platform}@`)),
      `sharp's ${platform} binary`,
    );
    const ffmpeg = packages.find((name) => name.startsWith(`@ffmpeg-installer+${platform}@`));
    assert.ok(ffmpeg !== undefined, `ffmpeg for ${platform}`);
    const binary = join(artifact, "node_modules/.pnpm", ffmpeg, `node_modules/@ffmpeg-installer/${platform}/ffmpeg`);
    assert.ok((statSync(binary).mode & 0o111) !== 0, "ffmpeg is executable");
  });

  describe("started from the artifact with only its environment", () => {
    let fake: FakeSlack;
    let model: FakeModelStudio;
    let child: ChildProcess;
    let port: number;
    let stderr = "";

    before(async () => {
      [fake, model] = await Promise.all([startFakeSlack(), startFakeModelStudio()]);
      fake.addChannel({ id: channel, name: "artifact" });
      fake.addUser({ id: user, name: "ari" });
      port = await freePort();
      // As the image's CMD: `node dist/index.js` in the artifact's directory, nothing of the workspace.
      child = spawn(process.execPath, ["dist/index.js"], {
        cwd: artifact,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "production",
          SLACK_BOT_TOKEN: fake.botToken,
          SLACK_SIGNING_SECRET: fake.signingSecret,
          SLACK_API_URL: fake.apiUrl,
          DASHSCOPE_API_KEY: model.apiKey,
          DASHSCOPE_BASE_URL: model.baseUrl,
          PORT: String(port),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.stdout?.resume();
      await waitFor(() => stderr.includes("Glance is running"), "the bot to start from the artifact", 60_000);
    });

    after(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await Promise.all([fake.close(), model.close()]);
    });

    it("answers /healthz and /readyz, and the image's HEALTHCHECK probe agrees", async () => {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200, await ready.clone().text());
      assert.deepEqual(((await ready.json()) as { ready: boolean }).ready, true);

      const probe = (probePort: number) =>
        spawnSync(process.execPath, ["dist/health/probe.js"], {
          cwd: artifact,
          env: { PATH: process.env.PATH ?? "", PORT: String(probePort) },
        }).status;
      assert.equal(probe(port), 0);
      assert.equal(probe(await freePort()), 1, "nothing listening: unhealthy");
    });

    it("answers a mention with an image (sharp from the artifact), fetching the file with the token from SLACK_API_URL's origin", async () => {
      const content = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#20a040" } })
        .png()
        .toBuffer();
      const file = fake.addFile({ name: "artifact.png", mimetype: "image/png", content, user });
      const message = fake.postUserMessage(channel, {
        user,
        text: `<@${fake.botUserId}> what is this?`,
        files: [file],
      });
      model.script(fakeSteps.answer("A green rectangle, from the artifact."));
      const driver = createSlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, fake });
      assert.equal((await driver.sendEvent(driver.appMention(channel, message))).status, 200);
      await waitFor(
        () => /A green rectangle, from the artifact\./.test(botReplies(fake, channel, message.ts).join("")),
        "the answer",
        60_000,
      );
      // The fake serves files from the origin of SLACK_API_URL, the only origin besides Slack's file hosts
      // that the built bot gives its token to.
      const requests = fake.fileRequests.filter((request) => request.fileId === file.id);
      assert.ok(requests.length > 0);
      assert.ok(requests.every((request) => request.authorization === `Bearer ${fake.botToken}`));

      // The answer is counted once it is finished, a moment after its text shows.
      let metrics = "";
      for (let attempt = 0; attempt < 100 && !/^glance_answers_total\{/m.test(metrics); attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      }
      assert.match(metrics, /^glance_answers_total\{outcome="answered"\} 1$/m);
      assert.match(metrics, /^glance_downloads_total\{source="slack_file",outcome="ok"\} 1$/m);
      assert.match(metrics, /^glance_model_tokens_total\{kind="input"\} \d+$/m);
    });

    it("exits 0 on SIGTERM", async () => {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code, signal] = await exited;
      assert.equal(signal, null);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    });
  });
});

describe("the Dockerfile and compose.yaml build and run exactly that", () => {
  it("the Dockerfile: Node 24 slim, the artifact script, a non-root user, the probe, node dist/index.js", async () => {
    const dockerfile = await readFile(join(repository, "Dockerfile"), "utf8");
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    assert.equal(stages.length, 2, "multi-stage: build, then run");
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    assert.match(dockerfile, /^RUN pnpm install --frozen-lockfile --offline$/m);
    assert.match(dockerfile, /^RUN sh scripts\/build-bot-artifact\.sh \/artifact$/m);
    assert.match(dockerfile, /^COPY --from=build \/artifact \/app$/m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "dist\/health\/probe\.js"\]$/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/index\.js"\]$/m);
    // What the image build copies: never the host's packages or builds (wrong platform, stale).
    const ignored = (await readFile(join(repository, ".dockerignore"), "utf8")).split("\n");
    assert.ok(ignored.includes("**/node_modules") && ignored.includes("**/dist"));
  });

  it("every YAML block of the README's production section parses", async () => {
    const readme = await readFile(join(repository, "README.md"), "utf8");
    const section = /^### Run in production$([\s\S]*?)^##? /m.exec(readme)?.[1] ?? "";
    const blocks = [...section.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
    assert.equal(blocks.length, 2, "the probes and the Prometheus job");
    for (const block of blocks) {
      assert.doesNotThrow(() => parse(block), `parses:\n${block}`);
    }
    const probes = blocks.find((block) => block.includes("readinessProbe"));
    assert.deepEqual((parse(probes ?? "") as { readinessProbe: { httpGet: unknown } }).readinessProbe.httpGet, {
      path: "/readyz",
      port: 3000,
    });
  });

  it("compose.yaml: Redis, two bot replicas built from the Dockerfile, sharing Redis, stopped gracefully", async () => {
    const compose = parse(await readFile(join(repository, "compose.yaml"), "utf8")) as {
      services: Record<string, Record<string, unknown>>;
    };
    const { redis, bot } = compose.services;
    assert.ok(redis !== undefined && bot !== undefined);
    assert.match(String(redis.image), /^redis:/);
    assert.equal(bot.build, ".");
    assert.deepEqual(bot.deploy, { replicas: 2 });
    const environment = bot.environment as Record<string, string>;
    assert.equal(environment.GLANCE_REDIS_URL, "redis://redis:6379");
    assert.match(environment.SLACK_APP_TOKEN ?? "", /SLACK_APP_TOKEN/, "Socket Mode: no public URL needed");
    assert.equal(bot.stop_grace_period, "30s");
  });
});
