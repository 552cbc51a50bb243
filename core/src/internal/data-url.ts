/** The characters a base64 data URL of `byteCount` bytes takes, prefix included: what the service's size limits count. */
export function dataUrlLength(mimeType: string, byteCount: number): number {
  return `data:${mimeType};base64,`.length + 4 * Math.ceil(byteCount / 3);
}
