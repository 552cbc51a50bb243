/** A base64 data URL of the bytes. */
export function dataUrl(mimeType: string, data: Buffer): string {
  return `${dataUrlPrefix(mimeType)}${data.toString("base64")}`;
}

/** What a base64 data URL starts with, before the data. */
export function dataUrlPrefix(mimeType: string): string {
  return `data:${mimeType};base64,`;
}

/** The characters a base64 data URL of `byteCount` bytes takes, prefix included: what the service's size limits count. */
export function dataUrlLength(mimeType: string, byteCount: number): number {
  return dataUrlPrefix(mimeType).length + 4 * Math.ceil(byteCount / 3);
}
