/** Replaces every known secret, and anything shaped like a Slack token, before text leaves the process. */
export function createScrubber(secrets: readonly string[]): (text: string) => string {
  const known = [...secrets].sort((left, right) => right.length - left.length);
  return (text) => {
    let scrubbed = text;
    for (const secret of known) {
      scrubbed = scrubbed.split(secret).join("[secret]");
    }
    return scrubbed
      .replace(/\bxox[abprs]-[A-Za-z0-9-]{6,}/g, "xox?-[secret]")
      .replace(/\bxapp-[A-Za-z0-9-]{6,}/g, "xapp-[secret]");
  };
}
