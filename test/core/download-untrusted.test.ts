/*
 * core's one download of untrusted URLs, against real HTTP servers on the loopback interface. Origins
 * are either allowed explicitly (as an adapter allows its fakes), or reached through a test host name
 * that the injected resolver maps to 127.0.0.1 under test rules where 127.0.0.1 plays the public
 * internet and every other address is private.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  AbortedError,
  type DestinationRules,
  DownloadError,
  type DownloadFailureReason,
  downloadUntrusted,
  GlanceError,
  isNonPublicAddress,
  maxDownloadRedirects,
} from "@glance/core";
import sharp from "sharp";

interface SeenRequest {
  path: string;
  authorization: string | undefined;
  /** The address the client connected to. */
  localAddress: string | undefined;
}

interface TestServer {
  origin: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

async function startServer(
  handle: (request: IncomingMessage, response: ServerResponse, server: TestServer) => void,
  host = "127.0.0.1",
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  let testServer: TestServer | undefined;
  const server: Server = createServer((request, response) => {
    seen.push({
      path: request.url ?? "",
      authorization: request.headers.authorization,
      localAddress: request.socket.localAddress,
    });
    if (testServer !== undefined) handle(request, response, testServer);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  testServer = {
    origin: `http://${host}:${port}`,
    port,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return testServer;
}

/** 127.0.0.1 plays the public internet; every other address is private. */
const loopbackIsPublic: DestinationRules = {
  schemes: ["http:"],
  isRefusedAddress: (address) => address !== "127.0.0.1",
};

/** A resolver for test host names, counting its calls. */
function testResolver(answers: Record<string, string[] | (() => string[])>): {
  resolve: (hostname: string) => Promise<readonly string[]>;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    resolve: async (hostname) => {
      calls.push(hostname);
      const answer = answers[hostname];
      if (answer === undefined) throw Object.assign(new Error(`${hostname} is unknown`), { code: "ENOTFOUND" });
      return typeof answer === "function" ? answer() : answer;
    },
  };
}

async function refusal(work: Promise<unknown>, reason: DownloadFailureReason): Promise<DownloadError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
    assert.ok(error instanceof GlanceError);
    assert.equal(error.code, "download");
    assert.equal(error.reason, reason, error.message);
    assert.doesNotMatch(error.message, /\n/, "one line");
    return error;
  }
  assert.fail(`expected a ${reason} refusal`);
}

let png: Buffer;
/** An MP4's first box: enough for detectFormat to call it a video. */
const mp4Head = Buffer.concat([
  Buffer.from([0, 0, 0, 24]),
  Buffer.from("ftypisom"),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from("isomiso2"),
]);

let site: TestServer;
let other: TestServer;
let lure: TestServer;

before(async () => {
  png = await sharp({ create: { width: 20, height: 10, channels: 3, background: "#336699" } })
    .png()
    .toBuffer();
  site = await startServer((request, response, server) => {
    const url = new URL(request.url ?? "/", server.origin);
    const path = url.pathname;
    if (path === "/shot.png" || path === "/private/shot.png") {
      response.writeHead(200, { "content-type": "image/png; charset=binary" }).end(png);
    } else if (path === "/page.html") {
      response.writeHead(200, { "content-type": "text/html" }).end("<html><body>hello</body></html>");
    } else if (path === "/clip.mp4") {
      response.writeHead(200, { "content-type": "video/mp4" }).end(mp4Head);
    } else if (path === "/declared-huge") {
      // Declares 10 MB, sends 10 bytes, then stalls: only a refusal from the header ends this quickly.
      response.writeHead(200, { "content-type": "image/png", "content-length": "10000000" });
      response.write(Buffer.alloc(10));
    } else if (path === "/endless") {
      // No content-length at all: the body is counted while it streams.
      response.writeHead(200, { "content-type": "image/png" });
      let sent = 0;
      const pump = () => {
        while (sent < 4_000_000 && !response.destroyed) {
          sent += 16_384;
          if (!response.write(Buffer.alloc(16_384))) {
            response.once("drain", pump);
            return;
          }
        }
        response.end();
      };
      pump();
    } else if (path === "/stall-headers") {
      // Never answers.
    } else if (path === "/stall-body") {
      response.writeHead(200, { "content-type": "image/png", "content-length": "1000" });
      response.write(png.subarray(0, 100));
    } else if (path === "/missing") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    } else if (path === "/redirect") {
      const to = url.searchParams.get("to") ?? "/shot.png";
      response.writeHead(Number(url.searchParams.get("status") ?? "302"), { location: to }).end();
    } else if (path.startsWith("/loop/")) {
      const step = Number(path.slice("/loop/".length));
      response.writeHead(302, { location: `/loop/${step + 1}` }).end();
    } else {
      response.writeHead(500).end();
    }
  });
  other = await startServer((_request, response) => {
    response.writeHead(200, { "content-type": "image/png" }).end(png);
  });
  // The "internal service" a rebinding host would like to reach: on another loopback address.
  lure = await startServer((_request, response) => {
    response.writeHead(200, { "content-type": "image/png" }).end(png);
  }, "127.0.0.2");
});

after(async () => {
  await Promise.all([site.close(), other.close(), lure.close()]);
});

describe("downloadUntrusted", () => {
  it("downloads from an allowed origin through a redirect: bytes, media type and final URL", async () => {
    const file = await downloadUntrusted(`${site.origin}/redirect?to=/shot.png`, {
      label: "screenshot",
      maxBytes: 1_000_000,
      expect: "image",
      allowedOrigins: [site.origin],
    });
    assert.deepEqual(file.bytes, png);
    assert.equal(file.contentType, "image/png");
    assert.equal(file.finalUrl, `${site.origin}/shot.png`);
  });

  it("refuses other schemes, user names in URLs and malformed links before any request", async () => {
    const { resolve, calls } = testResolver({ "example.com": ["93.184.216.34"] });
    const options = { label: "picture", maxBytes: 1000, resolve };
    let error = await refusal(downloadUntrusted("http://example.com/a.png", options), "insecure-scheme");
    assert.match(
      error.message,
      /^picture: only https links are downloaded, but the link uses http\. Use an https link\.$/,
    );
    await refusal(downloadUntrusted("ftp://example.com/a.png", options), "insecure-scheme");
    await refusal(downloadUntrusted("file:///etc/passwd", options), "insecure-scheme");
    await refusal(downloadUntrusted("https://user:secret@example.com/a.png", options), "credentials-in-url");
    error = await refusal(downloadUntrusted("not a link", options), "bad-url");
    assert.equal(error.host, undefined);
    assert.deepEqual(calls, [], "nothing was resolved");
    // An allowed origin may use http, but never a password in its URL.
    const host = site.origin.replace("http://", "");
    const before = site.seen.length;
    await refusal(
      downloadUntrusted(`http://user:secret@${host}/shot.png`, { ...options, allowedOrigins: [site.origin] }),
      "credentials-in-url",
    );
    assert.equal(site.seen.length, before, "no request was sent");
  });

  it("refuses content-length over the cap before reading the body, in decimal units", async () => {
    const started = Date.now();
    const error = await refusal(
      downloadUntrusted(`${site.origin}/declared-huge`, {
        label: "huge.png",
        maxBytes: 1_000_000,
        allowedOrigins: [site.origin],
        timeoutMilliseconds: 10_000,
      }),
      "too-large",
    );
    assert.ok(Date.now() - started < 5_000, "refused from the header, not by waiting for the stalled body");
    assert.equal(error.sizeBytes, 10_000_000);
    assert.equal(error.maxBytes, 1_000_000);
    assert.equal(error.message, "huge.png: the file is 10 MB, above the 1 MB download limit. Use a smaller file.");
  });

  it("counts the body while it streams when there is no content-length", async () => {
    const error = await refusal(
      downloadUntrusted(`${site.origin}/endless`, {
        label: "stream",
        maxBytes: 100_000,
        allowedOrigins: [site.origin],
      }),
      "too-large",
    );
    assert.equal(error.sizeBytes, undefined, "the size is unknown: only that it passed the cap");
    assert.match(error.message, /larger than the 100 KB download limit/);
  });

  it("keeps one deadline: a server that never answers, and one that stalls mid-body", async () => {
    for (const path of ["/stall-headers", "/stall-body"]) {
      const started = Date.now();
      const error = await refusal(
        downloadUntrusted(`${site.origin}${path}`, {
          label: "slow.png",
          maxBytes: 1_000_000,
          allowedOrigins: [site.origin],
          timeoutMilliseconds: 300,
        }),
        "timeout",
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 250 && elapsed < 3_000, `${path} ended after ${elapsed} ms`);
      assert.match(error.message, /did not finish within 0\.3 s/);
    }
  });

  it("counts the deadline across redirects, not per hop", async () => {
    // Each hop is quick, but the last one stalls: the whole download still ends at the deadline.
    const started = Date.now();
    await refusal(
      downloadUntrusted(`${site.origin}/redirect?to=/redirect%3Fto%3D/stall-body`, {
        label: "chain",
        maxBytes: 1_000_000,
        allowedOrigins: [site.origin],
        timeoutMilliseconds: 400,
      }),
      "timeout",
    );
    assert.ok(Date.now() - started < 3_000);
  });

  it("rejects with AbortedError when the caller cancels", async () => {
    const controller = new AbortController();
    const work = downloadUntrusted(`${site.origin}/stall-headers`, {
      label: "cancelled",
      maxBytes: 1000,
      allowedOrigins: [site.origin],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(work, AbortedError);
  });

  it("checks every redirect hop: private addresses, plain http and names that resolve privately", async () => {
    const { resolve } = testResolver({ "internal.test": ["192.168.1.5"], "mixed.test": ["93.184.216.34", "10.0.0.8"] });
    const options = { label: "hop", maxBytes: 1_000_000, allowedOrigins: [site.origin], resolve };
    for (const [target, reason] of [
      ["https://169.254.169.254/latest/meta-data/", "private-address"],
      ["https://10.0.0.1/x.png", "private-address"],
      ["https://[::1]/x.png", "private-address"],
      ["https://internal.test/x.png", "private-address"],
      ["https://mixed.test/x.png", "private-address"],
      [`https://127.0.0.1:${other.port}/x.png`, "private-address"],
      [`${other.origin}/x.png`, "insecure-scheme"],
    ] as const) {
      const error = await refusal(
        downloadUntrusted(`${site.origin}/redirect?to=${encodeURIComponent(target)}`, options),
        reason,
      );
      assert.equal(error.redirects, 1, target);
      assert.match(error.message, /redirected to a link|is a private, local or reserved address/, target);
    }
    assert.equal(other.seen.length, 0, "the unallowed loopback server was never reached");
  });

  it("sends credentials only to the origins and paths named, never to another hop", async () => {
    const secret = "Bearer xoxb-never-leaves";
    const credentials = {
      headers: { authorization: secret },
      scopes: [{ origin: site.origin, path: /^\/(?:private\/|redirect$)/ }],
    };
    const options = {
      label: "file",
      maxBytes: 1_000_000,
      allowedOrigins: [site.origin, other.origin],
      credentials,
    };
    const siteBefore = site.seen.length;
    await downloadUntrusted(`${site.origin}/redirect?to=${encodeURIComponent(`${other.origin}/cdn.png`)}`, options);
    await downloadUntrusted(`${site.origin}/redirect?to=/shot.png`, options);
    await downloadUntrusted(`${site.origin}/private/shot.png`, options);
    const siteRequests = site.seen.slice(siteBefore);
    assert.deepEqual(
      siteRequests.map((request) => [request.path.split("?")[0], request.authorization]),
      [
        ["/redirect", secret],
        ["/redirect", secret],
        ["/shot.png", undefined],
        ["/private/shot.png", secret],
      ],
    );
    assert.ok(other.seen.length > 0 && other.seen.every((request) => request.authorization === undefined));
  });

  it("matches a wildcard scope on subdomains only, with the same scheme and port", async () => {
    const { resolve } = testResolver({
      "files.slack.test": ["127.0.0.1"],
      "slack.test": ["127.0.0.1"],
      "files.slack.test.evil.test": ["127.0.0.1"],
    });
    const scope = { origin: `http://*.slack.test:${site.port}` };
    const options = {
      label: "file",
      maxBytes: 1_000_000,
      resolve,
      rules: loopbackIsPublic,
      credentials: { headers: { authorization: "Bearer token" }, scopes: [scope] },
    };
    const seen = (host: string) => site.seen.findLast((request) => request.path === `/shot.png?${host}`);
    for (const host of ["files.slack.test", "slack.test", "files.slack.test.evil.test"]) {
      await downloadUntrusted(`http://${host}:${site.port}/shot.png?${host}`, options);
    }
    assert.equal(seen("files.slack.test")?.authorization, "Bearer token");
    assert.equal(seen("slack.test")?.authorization, undefined);
    assert.equal(seen("files.slack.test.evil.test")?.authorization, undefined);
  });

  it("stops after the fifth redirect", async () => {
    const before = site.seen.length;
    const error = await refusal(
      downloadUntrusted(`${site.origin}/loop/0`, { label: "loop", maxBytes: 1000, allowedOrigins: [site.origin] }),
      "too-many-redirects",
    );
    assert.equal(maxDownloadRedirects, 5);
    assert.equal(site.seen.length - before, 6, "the first request and five redirects, no more");
    assert.equal(error.redirects, 5);
  });

  it("refuses bytes that are not what was expected, whatever the content type says", async () => {
    const options = { label: "diagram", maxBytes: 1_000_000, allowedOrigins: [site.origin] };
    let error = await refusal(
      downloadUntrusted(`${site.origin}/page.html`, { ...options, expect: "image" }),
      "not-an-image",
    );
    assert.equal(error.contentType, "text/html");
    assert.match(error.message, /^diagram: the server sent a web page \(declared as text\/html\), not an image\./);
    error = await refusal(
      downloadUntrusted(`${site.origin}/clip.mp4`, { ...options, expect: "image" }),
      "not-an-image",
    );
    assert.match(error.message, /a video \(mp4\)/);
    const clip = await downloadUntrusted(`${site.origin}/clip.mp4`, { ...options, expect: "image-or-video" });
    assert.deepEqual(clip.bytes, mp4Head);
    await refusal(
      downloadUntrusted(`${site.origin}/page.html`, { ...options, expect: "image-or-video" }),
      "not-an-image-or-video",
    );
    const page = await downloadUntrusted(`${site.origin}/page.html`, options);
    assert.equal(page.contentType, "text/html", "no expectation: any bytes come back");
  });

  it("reports an HTTP error status with its content type, naming the label and never the signed URL", async () => {
    const error = await refusal(
      downloadUntrusted(`${site.origin}/missing?signature=s3cr3t-signature`, {
        label: "the attachment",
        maxBytes: 1000,
        allowedOrigins: [site.origin],
      }),
      "http-status",
    );
    assert.equal(error.status, 404);
    assert.equal(error.contentType, "text/plain");
    assert.match(error.message, /^the attachment: the server answered HTTP 404/);
    assert.doesNotMatch(error.message, /s3cr3t|missing/);
  });

  it("reports a refused connection and an unknown host as connection failures", async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    let error = await refusal(
      downloadUntrusted(`${closed.origin}/x.png`, { label: "gone", maxBytes: 1000, allowedOrigins: [closed.origin] }),
      "connection",
    );
    assert.match(error.message, /ECONNREFUSED/);
    const { resolve } = testResolver({});
    error = await refusal(
      downloadUntrusted("https://nowhere.test/x.png", { label: "nowhere", maxBytes: 1000, resolve }),
      "connection",
    );
    assert.match(error.message, /could not be found \(ENOTFOUND\)/);
  });
});

describe("DNS rebinding", () => {
  it("resolves once, checks, and connects to exactly the checked address", async () => {
    // The first answer is "public"; every later one points at the internal service on 127.0.0.2.
    let answers = 0;
    const { resolve, calls } = testResolver({
      "rebind.test": () => {
        answers += 1;
        return answers === 1 ? ["127.0.0.1"] : ["127.0.0.2"];
      },
    });
    // Two hops on the same host: the redirect must not resolve the name again.
    const siteBefore = site.seen.length;
    const file = await downloadUntrusted(`http://rebind.test:${site.port}/redirect?to=/shot.png`, {
      label: "rebinding",
      maxBytes: 1_000_000,
      expect: "image",
      resolve,
      rules: loopbackIsPublic,
    });
    assert.deepEqual(file.bytes, png);
    assert.deepEqual(calls, ["rebind.test"], "one resolution for the whole download");
    const requests = site.seen.slice(siteBefore);
    assert.equal(requests.length, 2);
    assert.ok(
      requests.every((request) => request.localAddress === "127.0.0.1"),
      "connected to the checked address",
    );
    assert.equal(lure.seen.length, 0, "the internal service was never reached");
  });

  it("refuses a host whose one resolution is private, and never connects", async () => {
    const { resolve, calls } = testResolver({ "rebind.test": ["127.0.0.2"] });
    await refusal(
      downloadUntrusted(`http://rebind.test:${lure.port}/shot.png`, {
        label: "rebinding",
        maxBytes: 1000,
        resolve,
        rules: loopbackIsPublic,
      }),
      "private-address",
    );
    assert.deepEqual(calls, ["rebind.test"]);
    assert.equal(lure.seen.length, 0);
  });
});

describe("address policy", () => {
  const refused = [
    // IPv4 ranges: private, loopback, link-local, CGNAT, documentation, benchmark, 6to4 relay, multicast, broadcast.
    "0.0.0.0",
    "10.1.2.3",
    "100.64.0.1",
    "127.0.0.1",
    "169.254.169.254",
    "172.20.0.1",
    "192.0.0.8",
    "192.0.2.10",
    "192.88.99.1",
    "192.168.1.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    // IPv6: unspecified, loopback, IPv4-compatible, IPv4-mapped in both spellings, IPv4-translated.
    "::",
    "::1",
    "::8.8.8.8",
    "::808:808",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "::ffff:0:808:808",
    // NAT64 (well-known and local-use) and 6to4, whatever IPv4 address they embed (8.8.8.8 here).
    "64:ff9b::808:808",
    "64:ff9b::8.8.8.8",
    "64:ff9b:1::808:808",
    "2002:808:808::1",
    // Discard, Teredo, benchmarking, ORCHID, documentation, unique local, link-local, site-local, multicast.
    "100::1",
    "2001::1",
    "2001:2::1",
    "2001:10::1",
    "2001:20::1",
    "2001:db8::1",
    "3fff::1",
    "fd00::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    // Not an address at all.
    "example.com",
  ];
  const allowed = ["8.8.8.8", "93.184.216.34", "::ffff:8.8.8.8", "::ffff:808:808", "2606:4700::1111", "2a00:1450::1"];

  it("refuses every non-public form, and only those", () => {
    for (const address of refused) assert.equal(isNonPublicAddress(address), true, address);
    for (const address of allowed) assert.equal(isNonPublicAddress(address), false, address);
  });

  it("refuses each IPv6 form in a URL or a resolver's answer before connecting", async () => {
    for (const address of ["::ffff:7f00:1", "::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::a00:1", "2002:a00:1::1"]) {
      await refusal(
        downloadUntrusted(`https://[${address}]/x.png`, { label: address, maxBytes: 1000 }),
        "private-address",
      );
      const { resolve } = testResolver({ "aaaa.test": ["93.184.216.34", address] });
      await refusal(
        downloadUntrusted("https://aaaa.test/x.png", { label: address, maxBytes: 1000, resolve }),
        "private-address",
      );
    }
  });
});
