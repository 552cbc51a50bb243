/*
 * Sizes for messages. Decimal units, like the model catalogue: "10 MB" there means 10,000,000, so a
 * message that says "12.4 MB, must be at most 10 MB" compares like with like.
 */

export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000_000) {
    return `${trimmed(bytes / 1_000_000_000)} GB`;
  }
  if (bytes >= 1_000_000) {
    return `${trimmed(bytes / 1_000_000)} MB`;
  }
  if (bytes >= 1_000) {
    return `${Math.round(bytes / 1_000)} KB`;
  }
  return `${bytes} bytes`;
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 3600) {
    return `${trimmed(seconds / 3600)} h (${trimmed(seconds)} s)`;
  }
  if (seconds >= 60) {
    return `${trimmed(seconds / 60)} min (${trimmed(seconds)} s)`;
  }
  return `${trimmed(seconds)} s`;
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

function trimmed(value: number): string {
  return String(Math.round(value * 100) / 100);
}
