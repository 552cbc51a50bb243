import { videoInContainer } from "./support/media-factory.js";
import { prepareMedia, probeVideo } from "@glance/core";
for (const c of ["mov","mkv","avi","flv","wmv"] as const) {
  const p = await videoInContainer(c);
  const probe = await probeVideo(p);
  const r = await prepareMedia(p, { model: "qwen3-vl-plus" });
  console.log(c, probe.frameCount, probe.frameRate, probe.durationSeconds, probe.codec, r.kind, r.kind === "video-file" ? r.mimeType : "");
}
