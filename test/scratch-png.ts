import sharp from "sharp";
import { readFile } from "node:fs/promises";
const b = await readFile("/tmp/glance-test-media-v1/screenshot-3840x2160.png");
const raw = await sharp(b).resize(2144,1184,{fit:"fill"}).raw().toBuffer({resolveWithObject:true});
for (const o of [{}, {compressionLevel:9}, {compressionLevel:9, adaptiveFiltering:true}, {compressionLevel:9, effort:10, palette:true, quality:100}, {compressionLevel:9, palette:true, colours:256, dither:0}]) {
  const t=Date.now(); const out = await sharp(raw.data,{raw:raw.info}).png(o as never).toBuffer(); console.log(JSON.stringify(o), out.length, Date.now()-t);
}
const t=Date.now(); console.log("jpeg", (await sharp(raw.data,{raw:raw.info}).jpeg({quality:90}).toBuffer()).length, Date.now()-t);
