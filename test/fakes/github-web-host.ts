/*
 * What the fake GitHub serves outside the REST API, as github.com's web and content hosts do, and how
 * body_html points at it. Each behaviour follows a source:
 * - `user-attachments/assets/<id>` (the URL an author's upload gets in the Markdown) opens only for a
 *   signed-in browser session; API tokens get 404 Not Found (a fine-grained token with every read
 *   permission: https://github.com/josegonzalez/python-github-backup/issues/477, 2026-01-10; the
 *   upload endpoint behind these URLs is undocumented: https://github.com/mlflow/mlflow/pull/25141,
 *   2026-08-15). The Actions GITHUB_TOKEN is an API token, so the fake opens them for no token at all.
 * - body_html carries a signed `private-user-images` URL for each upload instead; its JWT expires five
 *   minutes after it was issued (a captured URL has `exp - nbf = 300` and `X-Amz-Expires=300`:
 *   https://cky.im/zh/d/deal-with-private-user-images-when-fetching-github-discussion-body,
 *   2023-12-13), after which it answers 404.
 * - Images from other hosts are rewritten to camo, GitHub's image proxy, as
 *   `<camo host>/<hmac digest>/<hex of the URL>` with the original in `data-canonical-src`
 *   (https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-anonymized-urls;
 *   URL format: https://github.com/atmos/camo#url-formats). A GitHub Enterprise Server admin can turn the
 *   proxy off; a pull request with `imageProxy: false` is rendered that way.
 * Here both hosts are paths on the fake's one origin: `/private-user-images/...` and `/camo/...`.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendBytes, sendJson } from "./github-http.js";

/** How long a signed private-user-images URL works after body_html was rendered. */
export const signedUrlLifetimeMilliseconds = 5 * 60 * 1000;

interface StoredImage {
  content: Buffer;
  contentType: string;
}

export interface FakeWebHost {
  /** A private upload: its Markdown URL, and a signed URL as body_html would carry it now. */
  addAttachment(content: Buffer, contentType: string): { url: string; signedUrl: string };
  /** An image on another host, which only camo (not the test) can reach. */
  addExternalImage(url: string, content: Buffer, contentType: string): void;
  /** What body_html shows for an image the author wrote as `url`: its src and data-canonical-src. */
  renderedSource(url: string, imageProxy: boolean): { src: string; canonical: string | undefined };
  /** Answers the request when it is for the web host; false when it is an API request. */
  serve(request: IncomingMessage, response: ServerResponse, url: URL): boolean;
}

export function createFakeWebHost(origin: string, now: () => number): FakeWebHost {
  const attachments = new Map<string, StoredImage>();
  const external = new Map<string, StoredImage>();
  const secret = randomBytes(24);

  function sign(data: string): string {
    return createHmac("sha256", secret).update(data).digest("base64url");
  }

  function signedUrlOf(id: string): string {
    const issued = Math.floor(now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({
        iss: "github.com",
        aud: "raw.githubusercontent.com",
        nbf: issued,
        exp: issued + signedUrlLifetimeMilliseconds / 1000,
        path: `/private-user-images/${id}`,
      }),
    ).toString("base64url");
    return `${origin}/private-user-images/${id}?jwt=${header}.${payload}.${sign(`${header}.${payload}`)}`;
  }

  /** True when the JWT is ours, names this upload and has not expired. */
  function validJwt(token: string | null, id: string): boolean {
    const [header = "", payload = "", signature = ""] = (token ?? "").split(".");
    if (signature === "" || sign(`${header}.${payload}`) !== signature) return false;
    try {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
        exp?: unknown;
        path?: unknown;
      };
      return (
        claims.path === `/private-user-images/${id}` && typeof claims.exp === "number" && claims.exp * 1000 > now()
      );
    } catch {
      return false;
    }
  }

  function camoUrlOf(canonical: string): string {
    const digest = createHmac("sha1", secret).update(canonical).digest("hex");
    return `${origin}/camo/${digest}/${Buffer.from(canonical, "utf8").toString("hex")}`;
  }

  function notFound(response: ServerResponse): true {
    sendJson(response, 404, { message: "Not Found" });
    return true;
  }

  return {
    addAttachment(content, contentType) {
      const id = randomUUID();
      attachments.set(id, { content, contentType });
      return { url: `${origin}/user-attachments/assets/${id}`, signedUrl: signedUrlOf(id) };
    },
    addExternalImage(url, content, contentType) {
      external.set(new URL(url).href, { content, contentType });
    },
    renderedSource(url, imageProxy) {
      const attachment = /^\/user-attachments\/assets\/([^/?#]+)$/.exec(URL.canParse(url) ? new URL(url).pathname : "");
      if (url.startsWith(`${origin}/`) && attachment?.[1] !== undefined && attachments.has(attachment[1])) {
        return { src: signedUrlOf(attachment[1]), canonical: undefined };
      }
      if (!imageProxy || !URL.canParse(url) || url.startsWith(`${origin}/`)) {
        return { src: url, canonical: undefined };
      }
      // The renderer percent-encodes the destination (as cmark-gfm does) before camo signs it.
      const canonical = new URL(url).href;
      return { src: camoUrlOf(canonical), canonical };
    },
    serve(request, response, url) {
      if (request.method !== "GET") return false;
      const upload = /^\/user-attachments\/assets\/([^/?]+)$/.exec(url.pathname);
      if (upload !== null) {
        // A browser session would open it; no token does (see the top of this file).
        return notFound(response);
      }
      const signed = /^\/private-user-images\/([^/?]+)$/.exec(url.pathname);
      if (signed !== null) {
        const id = signed[1] ?? "";
        const attachment = attachments.get(id);
        if (attachment === undefined || !validJwt(url.searchParams.get("jwt"), id)) return notFound(response);
        sendBytes(response, attachment.content, attachment.contentType, { "cache-control": "private" });
        return true;
      }
      const camo = /^\/camo\/([0-9a-f]+)\/([0-9a-f]+)$/.exec(url.pathname);
      if (camo !== null) {
        const canonical = Buffer.from(camo[2] ?? "", "hex").toString("utf8");
        const image = external.get(canonical);
        if (camoUrlOf(canonical) !== `${origin}${url.pathname}` || image === undefined) return notFound(response);
        sendBytes(response, image.content, image.contentType, { "cache-control": "max-age=31536000" });
        return true;
      }
      return false;
    },
  };
}
