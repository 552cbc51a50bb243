/*
 * Readiness: whether this replica can do its work now. GET /readyz runs every check and answers 200
 * when all pass, 503 with the failing ones otherwise; start-up runs the same checks first and stops
 * with their lines when one fails. The app brings its own (Slack, the model endpoint); a shared
 * backend plugs its own in (createApp's `readinessChecks`), such as Redis being reachable.
 */

export interface ReadinessCheck {
  /** A short name shown by /readyz: "slack", "model", "redis". */
  readonly name: string;
  /**
   * Resolves with undefined when ready, or with one line saying what is wrong, the value seen and the
   * fix. A rejection or a check slower than the time limit counts as not ready.
   */
  check(): Promise<string | undefined>;
}

export interface ReadinessResult {
  name: string;
  ready: boolean;
  /** Why not, one line; absent when ready. */
  problem?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: ReadinessResult[];
}

/** Runs every check at once, each within `timeoutMilliseconds`. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMilliseconds: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((check) => runOne(check, timeoutMilliseconds)));
  return { ready: results.every((result) => result.ready), checks: results };
}

async function runOne(check: ReadinessCheck, timeoutMilliseconds: number): Promise<ReadinessResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`the ${check.name} check did not finish within ${timeoutMilliseconds} ms.`),
      timeoutMilliseconds,
    );
  });
  try {
    const problem = await Promise.race([check.check(), late]);
    return problem === undefined ? { name: check.name, ready: true } : { name: check.name, ready: false, problem };
  } catch (error) {
    return {
      name: check.name,
      ready: false,
      problem: `the ${check.name} check failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    clearTimeout(timer);
  }
}
