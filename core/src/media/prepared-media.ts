/**
 * What media preparation hands to request building: bytes the API accepts, already scaled to exactly
 * what the model will see, with the sizes the token estimate needs. Request building never decodes media.
 */

/**
 * An image ready to send as a base64 data URL. `width` x `height` is always the size the model will
 * see, and token estimates use it. Usually `data` was re-encoded at exactly that size. When the image
 * was kept as sent (prepareImage's `keepOriginalWhenAccepted`), `data` holds the original PNG or JPEG
 * bytes untouched (less a PNG's text and EXIF chunks), at `originalWidth` x `originalHeight`, with the original's `mimeType`; the service
 * scales it to `width` x `height` itself, so the tokens are the same either way.
 */
export interface PreparedImage {
  kind: "image";
  /** A label for messages: the file name, or "image 2". */
  name: string;
  mimeType: "image/png" | "image/jpeg";
  /** The bytes to send: encoded at `width` x `height`, or the untouched original (see above). */
  data: Buffer;
  /** What the model will see (multiples of the model's pixel factor); the size of `data` unless kept as sent. */
  width: number;
  height: number;
  /** The source's size after EXIF orientation, for mapping coordinates back. */
  originalWidth: number;
  originalHeight: number;
  /** The source's format as detected from its bytes ("png", "jpeg", "heic"...). */
  originalFormat: string;
  originalBytes: number;
}

/** A video file small enough to send whole as a base64 `video_url`. */
export interface PreparedVideoFile {
  kind: "video-file";
  name: string;
  /** "video/mp4", "video/quicktime", "video/webm"... as detected from the bytes. */
  mimeType: string;
  data: Buffer;
  /** The file's own frame size, frame count, rate and duration (the service samples it itself). */
  width: number;
  height: number;
  frameCount: number;
  frameRate: number;
  durationSeconds: number;
  /** The sampling rate to ask the service for. */
  fps: number;
  originalBytes: number;
}

/** A video turned into frames on the client, sent as a `video` part (an image list) with `fps`. */
export interface PreparedFrameList {
  kind: "frame-list";
  name: string;
  /** All frames share one size: the per-frame size the model will use. */
  frames: PreparedImage[];
  /** The rate the frames were sampled at, which tells the model how much time lies between them. */
  fps: number;
  /** Seconds into the source of each frame, for answers that cite timestamps. */
  timestampsSeconds: number[];
  durationSeconds: number;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  originalBytes: number;
  /** How the frames were taken from a video file (absent for a list built from images). */
  frameExtraction?: "single-pass" | "seek";
}

export type PreparedMedia = PreparedImage | PreparedVideoFile | PreparedFrameList;
