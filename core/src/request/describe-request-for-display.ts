import { formatBytes } from "../internal/format-quantity.js";
import type { ChatRequestBody } from "./chat-request-body.js";

const dataUrlPattern = /^data:([^;,]+);base64,(.*)$/s;

/**
 * A copy of the body fit to print (--dry-run, logs): every base64 payload is replaced by its size,
 * so a request with a dozen images stays a page long and no image bytes end up in a terminal.
 */
export function describeRequestForDisplay(body: ChatRequestBody): ChatRequestBody {
  return elide(body) as ChatRequestBody;
}

function elide(value: unknown): unknown {
  if (typeof value === "string") {
    const match = dataUrlPattern.exec(value);
    if (match === null) {
      return value;
    }
    const [, mimeType = "", payload = ""] = match;
    return `data:${mimeType};base64,<${formatBytes(payload.length)} elided>`;
  }
  if (Array.isArray(value)) {
    return value.map(elide);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, elide(entry)]));
  }
  return value;
}
