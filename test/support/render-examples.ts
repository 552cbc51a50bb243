/**
 * Renders the sample images committed under examples/: a settings screen with a few deliberate UI
 * defects (clipped label, low-contrast hint, misaligned button) and a small architecture diagram.
 * Run: `node --import tsx support/render-examples.ts` from test/. The PNGs are committed so the README's
 * first command needs no generation step; this script documents how they were made.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const examplesDirectory = fileURLToPath(new URL("../../examples/", import.meta.url));

const settingsScreen = `
<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800" font-family="DejaVu Sans">
  <rect width="1280" height="800" fill="#f5f6f8"/>
  <rect width="1280" height="64" fill="#1f2937"/>
  <text x="32" y="41" font-size="22" fill="#ffffff" font-weight="bold">Acme Cloud</text>
  <text x="1090" y="41" font-size="16" fill="#d1d5db">Signed in as dana</text>
  <rect x="0" y="64" width="240" height="736" fill="#ffffff"/>
  <text x="32" y="120" font-size="16" fill="#111827">Overview</text>
  <text x="32" y="160" font-size="16" fill="#111827">Projects</text>
  <rect x="16" y="182" width="208" height="36" rx="6" fill="#e0e7ff"/>
  <text x="32" y="206" font-size="16" fill="#3730a3" font-weight="bold">Settings</text>
  <text x="32" y="250" font-size="16" fill="#111827">Billing</text>
  <text x="288" y="120" font-size="28" fill="#111827" font-weight="bold">Notification settings</text>
  <rect x="288" y="150" width="940" height="560" rx="10" fill="#ffffff" stroke="#e5e7eb"/>
  <text x="320" y="200" font-size="18" fill="#111827">Email address</text>
  <rect x="320" y="215" width="420" height="40" rx="6" fill="#ffffff" stroke="#9ca3af"/>
  <text x="334" y="241" font-size="16" fill="#111827">dana@example.com</text>
  <text x="320" y="300" font-size="18" fill="#111827">Digest frequency</text>
  <rect x="320" y="315" width="420" height="40" rx="6" fill="#ffffff" stroke="#9ca3af"/>
  <text x="334" y="341" font-size="16" fill="#111827">Weekly</text>
  <text x="320" y="400" font-size="18" fill="#111827">Notify me about failed deploym</text>
  <rect x="760" y="382" width="52" height="28" rx="14" fill="#10b981"/>
  <circle cx="798" cy="396" r="11" fill="#ffffff"/>
  <text x="320" y="430" font-size="14" fill="#d1d5db">You can change this later in your profile.</text>
  <text x="320" y="480" font-size="18" fill="#111827">Recieve product updates</text>
  <rect x="760" y="462" width="52" height="28" rx="14" fill="#d1d5db"/>
  <circle cx="774" cy="476" r="11" fill="#ffffff"/>
  <rect x="320" y="620" width="140" height="44" rx="8" fill="#4f46e5"/>
  <text x="352" y="648" font-size="17" fill="#ffffff" font-weight="bold">Save</text>
  <rect x="478" y="628" width="140" height="44" rx="8" fill="#ffffff" stroke="#9ca3af"/>
  <text x="512" y="656" font-size="17" fill="#374151">Cancel</text>
</svg>`;

const architectureDiagram = `
<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="560" font-family="DejaVu Sans">
  <rect width="1000" height="560" fill="#ffffff"/>
  <text x="500" y="48" font-size="26" text-anchor="middle" fill="#111827" font-weight="bold">Upload pipeline</text>
  <g font-size="18" text-anchor="middle" fill="#111827">
    <rect x="60" y="220" width="180" height="80" rx="10" fill="#dbeafe" stroke="#1d4ed8" stroke-width="2"/>
    <text x="150" y="266">Web client</text>
    <rect x="410" y="120" width="180" height="80" rx="10" fill="#dcfce7" stroke="#15803d" stroke-width="2"/>
    <text x="500" y="166">API gateway</text>
    <rect x="410" y="330" width="180" height="80" rx="10" fill="#fef3c7" stroke="#b45309" stroke-width="2"/>
    <text x="500" y="376">Resize worker</text>
    <rect x="760" y="220" width="180" height="80" rx="10" fill="#fce7f3" stroke="#be185d" stroke-width="2"/>
    <text x="850" y="266">Object store</text>
  </g>
  <g stroke="#374151" stroke-width="2.5" fill="none">
    <path d="M240 250 L410 170"/>
    <path d="M590 160 L760 250"/>
    <path d="M500 200 L500 330"/>
    <path d="M590 370 L760 280"/>
  </g>
  <g font-size="14" fill="#4b5563">
    <text x="300" y="195">POST /upload</text>
    <text x="655" y="190">PUT object</text>
    <text x="510" y="270">queue job</text>
    <text x="660" y="350">write thumbnail</text>
  </g>
</svg>`;

mkdirSync(examplesDirectory, { recursive: true });
await sharp(Buffer.from(settingsScreen)).png({ compressionLevel: 9 }).toFile(`${examplesDirectory}settings-screen.png`);
await sharp(Buffer.from(architectureDiagram))
  .png({ compressionLevel: 9 })
  .toFile(`${examplesDirectory}upload-pipeline.png`);
console.log(`Rendered examples into ${examplesDirectory}`);
