/*
 * Runs the bot's Slack file download (downloadSlackFile) on a list of URLs and prints what happened as
 * JSON on stdout. A program of its own because it must start with a test certificate authority trusted
 * (NODE_EXTRA_CA_CERTS is read at start-up only): test/bot/slack-file-token.test.ts serves https on port
 * 443 of a loopback address and starts this with every host name resolved there.
 * Input (stdin, JSON): { address, botToken, trustedOrigins, urls }.
 */
import { downloadSlackFile } from "../../bot/src/downloads.js";

interface Input {
  address: string;
  botToken: string;
  trustedOrigins: string[];
  urls: string[];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Input;

const results: Array<{ url: string; bytes?: number; error?: string }> = [];
for (const url of input.urls) {
  try {
    const bytes = await downloadSlackFile(
      { id: "F0TEST", name: "file.png", url_private: url },
      {
        botToken: input.botToken,
        trustedOrigins: input.trustedOrigins,
        allowedOrigins: [],
        maxBytes: 1_000_000,
        timeoutMilliseconds: 10_000,
        network: {
          // Every host is this loopback address, which plays the public internet; https only, as in production.
          resolve: async () => [input.address],
          rules: { schemes: ["https:"], isRefusedAddress: (address) => address !== input.address },
        },
      },
    );
    results.push({ url, bytes: bytes.length });
  } catch (error) {
    results.push({ url, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(JSON.stringify(results));
