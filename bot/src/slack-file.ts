/** The parts of a Slack file object the bot uses (events, conversations.replies and shortcuts carry it). */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  filetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  /** Slack Connect files from another workspace arrive as a stub: `file_access: "check_file_info"`. */
  file_access?: string;
  mode?: string;
  /** Who uploaded it. */
  user?: string;
}

/** Where files.info says a file is shared: public channels, private channels, DMs, and shares by conversation. */
export interface FileShares {
  channels?: string[];
  groups?: string[];
  ims?: string[];
  shares?: { public?: Record<string, unknown>; private?: Record<string, unknown> };
}

/** A stub that must be completed with files.info before it can be classified or downloaded. */
export function needsFileInfo(file: SlackFile): boolean {
  return file.file_access === "check_file_info" || (file.url_private === undefined && file.mimetype === undefined);
}

const imageTypes = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "tiff", "tif", "heic", "heif", "avif"]);
const videoTypes = new Set(["mp4", "mov", "mkv", "webm", "avi", "flv", "wmv", "m4v", "qt"]);

export type FileKind = "image" | "video" | "other";

/** What the file claims to be; core still checks the bytes themselves. */
export function fileKindOf(file: SlackFile): FileKind {
  const type = (file.filetype ?? file.name?.split(".").pop() ?? "").toLowerCase();
  const mime = (file.mimetype ?? "").toLowerCase();
  if (mime.startsWith("image/") && !mime.includes("svg")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (imageTypes.has(type)) return "image";
  if (videoTypes.has(type)) return "video";
  return "other";
}

export function fileLabel(file: SlackFile): string {
  return file.name ?? file.title ?? file.id;
}

export const supportedTypesSentence =
  "I read images (PNG, JPEG, WebP, GIF, BMP, TIFF, HEIC, AVIF) and videos (MP4, MOV, MKV, WebM, AVI, FLV, WMV).";

/** Every conversation files.info says the file is shared in. */
export function conversationsOfFile(file: FileShares): string[] {
  const listed = [
    ...(file.channels ?? []),
    ...(file.groups ?? []),
    ...(file.ims ?? []),
    ...Object.keys(file.shares?.public ?? {}),
    ...Object.keys(file.shares?.private ?? {}),
  ];
  return [...new Set(listed)];
}
