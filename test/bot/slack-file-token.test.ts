/*
 * Where the bot token goes when the bot downloads a Slack file: to Slack's file hosts (https://*.slack.com,
 * https://*.slack-gov.com for GovSlack) and to the origin of SLACK_API_URL when it is set, never anywhere
 * else. Real TLS: a test certificate authority (made with openssl for this run) signs a certificate for
 * the test host names, an https server listens on port 443 of a random loopback address, and the
 * download runs in a child process that trusts that authority, with every host name resolved to that
 * address. Needs openssl and the right to listen on port 443 (root, as CI runs); without either the
 * tests are skipped with a notice saying so.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createApp } from "../../bot/src/app.js";
import { loadConfig } from "../../bot/src/config.js";

const testDirectory = fileURLToPath(new URL("../", import.meta.url));
const botToken = "xoxb-1111-2222-file-token-test";
const png = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d4944415478da6364f8cf00000301010018dd8db00000000049454e44ae426082",
  "hex",
);
const hostNames = [
  "files.slack.com",
  "slack.com",
  "files.slack-gov.com",
  "files.slack.com.evil.example",
  "evil.example",
  "cdn.evil.example",
  "proxy.example",
];

interface Seen {
  host: string;
  path: string;
  authorization: string | undefined;
}

interface Served {
  address: string;
  caFile: string;
  seen: Seen[];
  close(): Promise<void>;
}

function run(command: string, arguments_: string[], cwd: string): void {
  const result = spawnSync(command, arguments_, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${arguments_.join(" ")}: ${result.stderr}`);
}

/** A test CA and a certificate for every host name, made with openssl in `directory`. */
async function makeCertificates(directory: string): Promise<{ key: Buffer; cert: Buffer; caFile: string }> {
  run(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=Glance test CA",
    ],
    directory,
  );
  run(
    "openssl",
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=files.slack.com",
    ],
    directory,
  );
  await writeFile(join(directory, "names.ext"), `subjectAltName=${hostNames.map((name) => `DNS:${name}`).join(",")}\n`);
  run(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      "names.ext",
    ],
    directory,
  );
  return {
    key: await readFile(join(directory, "server.key")),
    cert: await readFile(join(directory, "server.pem")),
    caFile: join(directory, "ca.pem"),
  };
}

/** Serves /file.png (and /to-cdn, a redirect to the CDN host) on port 443 of a random loopback address. */
async function serve(directory: string): Promise<Served> {
  const { key, cert, caFile } = await makeCertificates(directory);
  const seen: Seen[] = [];
  const server: Server = createServer({ key, cert }, (request, response) => {
    const host = (request.headers.host ?? "").replace(/:443$/, "");
    seen.push({ host, path: request.url ?? "", authorization: request.headers.authorization });
    if (request.url === "/to-cdn") {
      response.writeHead(302, { location: "https://cdn.evil.example/file.png" });
      response.end();
      return;
    }
    response.writeHead(200, { "content-type": "image/png" });
    response.end(png);
  });
  for (let attempt = 0; ; attempt += 1) {
    const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(443, address, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return {
        address,
        caFile,
        seen,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      };
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EADDRINUSE" || attempt > 10) throw error;
    }
  }
}

/** Downloads each URL as the bot does, in a child process that trusts the test CA (asynchronously: this process serves). */
async function download(served: Served, urls: string[], trustedOrigins: string[] = []) {
  const child = spawn(
    process.execPath,
    ["--conditions=glance-source", "--import", "tsx", join(testDirectory, "support/slack-file-download.ts")],
    {
      cwd: testDirectory,
      env: { PATH: process.env.PATH ?? "", NODE_EXTRA_CA_CERTS: served.caFile },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(JSON.stringify({ address: served.address, botToken, trustedOrigins, urls }));
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as Array<{ url: string; bytes?: number; error?: string }>;
}

describe("the bot token goes to Slack's file hosts and SLACK_API_URL's origin, over https, and nowhere else", () => {
  let directory: string;
  let served: Served | undefined;
  let unavailable: string | undefined;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "glance-file-token-"));
    try {
      served = await serve(directory);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      unavailable = /EACCES/.test(reason)
        ? "listening on port 443 needs root (or CAP_NET_BIND_SERVICE)"
        : /ENOENT|openssl/.test(reason)
          ? "openssl is not installed (apt-get install openssl)"
          : reason;
    }
  });

  after(async () => {
    await served?.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** The Authorization header each host received, in order. */
  function authorizationsFor(host: string): Array<string | undefined> {
    return (served?.seen ?? []).filter((request) => request.host === host).map((request) => request.authorization);
  }

  it("sends it to https://*.slack.com and https://*.slack-gov.com, and to no look-alike", async (context) => {
    if (served === undefined) {
      context.skip(`skipped: ${unavailable}`);
      return;
    }
    const results = await download(served, [
      "https://files.slack.com/file.png",
      "https://files.slack-gov.com/file.png",
      "https://files.slack.com.evil.example/file.png",
      "https://evil.example/file.png",
      "https://slack.com/file.png",
    ]);
    assert.deepEqual(
      results.map((result) => result.bytes),
      [png.length, png.length, png.length, png.length, png.length],
      JSON.stringify(results),
    );
    assert.deepEqual(authorizationsFor("files.slack.com"), [`Bearer ${botToken}`]);
    assert.deepEqual(authorizationsFor("files.slack-gov.com"), [`Bearer ${botToken}`]);
    assert.deepEqual(authorizationsFor("files.slack.com.evil.example"), [undefined]);
    assert.deepEqual(authorizationsFor("evil.example"), [undefined]);
    // Slack's files live on subdomains (files.slack.com); the bare domain is not one of them.
    assert.deepEqual(authorizationsFor("slack.com"), [undefined]);
  });

  it("drops it when a Slack file host redirects elsewhere (a CDN)", async (context) => {
    if (served === undefined) {
      context.skip(`skipped: ${unavailable}`);
      return;
    }
    const before = served.seen.length;
    const [result] = await download(served, ["https://files.slack.com/to-cdn"]);
    assert.equal(result?.bytes, png.length, JSON.stringify(result));
    assert.deepEqual(
      served.seen.slice(before).map((request) => [request.host, request.authorization]),
      [
        ["files.slack.com", `Bearer ${botToken}`],
        ["cdn.evil.example", undefined],
      ],
    );
  });

  it("sends it to the origin of SLACK_API_URL (a proxy), as the app derives it, and never over http", async (context) => {
    if (served === undefined) {
      context.skip(`skipped: ${unavailable}`);
      return;
    }
    const { services } = createApp({
      config: loadConfig({
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: "secret",
        SLACK_API_URL: "https://proxy.example/api/",
        DASHSCOPE_API_KEY: "sk-test",
      }),
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    assert.deepEqual(services.trustedFileOrigins, ["https://proxy.example"]);
    const before = served.seen.length;
    const results = await download(
      served,
      ["https://proxy.example/file.png", "http://files.slack.com/file.png"],
      [...services.trustedFileOrigins],
    );
    assert.equal(results[0]?.bytes, png.length, JSON.stringify(results));
    assert.match(results[1]?.error ?? "", /points to an address that is not https/);
    assert.deepEqual(
      served.seen.slice(before).map((request) => [request.host, request.authorization]),
      [["proxy.example", `Bearer ${botToken}`]],
      "nothing was sent over http",
    );
  });
});
