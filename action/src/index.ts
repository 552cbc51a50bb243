/*
 * The runner's entry point: check the platform, run main(), report failure. The committed bundle
 * carries sharp's native binaries for Linux x64 only, so anything else gets a clear error before the
 * review code (which loads sharp) is even imported.
 */
import * as actionsCore from "@actions/core";

async function run(): Promise<void> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    actionsCore.setFailed(
      `Glance's image review runs on Linux x64 runners only (this runner is ${process.platform}/${process.arch}): ` +
        "the committed bundle carries sharp's native image library for linux-x64 alone. Use runs-on: ubuntu-latest.",
    );
    return;
  }
  try {
    const { main } = await import("./main.js");
    await main();
  } catch (error) {
    actionsCore.setFailed(error instanceof Error ? error.message : String(error));
  }
}

await run();
