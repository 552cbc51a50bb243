/*
 * The container's HEALTHCHECK: `node dist/health/probe.js` asks the bot's own /healthz on PORT and exits
 * 0 when it answers 200, 1 otherwise. A script of its own because the slim image has no curl or wget.
 */
const port = process.env.PORT ?? "3000";
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4_000) });
  process.exitCode = response.status === 200 ? 0 : 1;
} catch {
  process.exitCode = 1;
}
