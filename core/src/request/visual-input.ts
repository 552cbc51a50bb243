import type { PreparedFrameList, PreparedImage, PreparedVideoFile } from "../media/prepared-media.js";

/** An image the service downloads itself. The size is optional; without it the token estimate is unknown. */
export interface RemoteImageInput {
  kind: "image-url";
  url: string;
  width?: number;
  height?: number;
  name?: string;
}

/** A video file the service downloads and samples itself. */
export interface RemoteVideoInput {
  kind: "video-url";
  url: string;
  width?: number;
  height?: number;
  frameCount?: number;
  frameRate?: number;
  durationSeconds?: number;
  /** The sampling rate to ask the service for; the model's default (2) when absent. */
  fps?: number;
  name?: string;
}

/** Frames already extracted from a video, each at a public URL, sent as one `video` part. */
export interface RemoteFrameListInput {
  kind: "frame-urls";
  urls: string[];
  width?: number;
  height?: number;
  fps: number;
  name?: string;
}

export type RemoteInput = RemoteImageInput | RemoteVideoInput | RemoteFrameListInput;

/** Everything visual a request can carry, local (prepared) or remote. */
export type VisualInput = PreparedImage | PreparedVideoFile | PreparedFrameList | RemoteInput;

/** A label for messages: the input's own name, or its kind and position ("image 2"). */
export function visualInputName(input: VisualInput, index: number): string {
  if (input.name !== undefined && input.name !== "") {
    return input.name;
  }
  const position = index + 1;
  switch (input.kind) {
    case "image":
    case "image-url":
      return `image ${position}`;
    case "video-file":
    case "video-url":
      return `video ${position}`;
    case "frame-list":
    case "frame-urls":
      return `frame list ${position}`;
  }
}
