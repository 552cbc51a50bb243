/*
 * The reviews as a stream: each item is downloaded and planned, decided on in priority order (the
 * token budget's decision for an item needs only the items before it), readied (its images prepared)
 * once accepted, and sent as soon as a model slot is free, while the items after it are still downloading. At most `concurrency` requests are in
 * flight and at most `ahead` items more are downloaded and planned waiting for a slot, so the run
 * holds the pixels of about 2 x concurrency items at a time, however many the pull request changes;
 * an item's bytes go as soon as its request is built (image-review.ts) or it is refused.
 */

export interface StreamSteps<Item, Plan> {
  /** Downloads and plans one item; undefined when it cannot be reviewed (the step records why). */
  prepare(item: Item, index: number): Promise<Plan | undefined>;
  /** Called once per plan, in item order: true sends it, false drops it (the step records why). */
  decide(plan: Plan): boolean;
  /** Readies an accepted plan for sending, before it waits for a slot; false drops it (the step records why). */
  ready(plan: Plan): Promise<boolean>;
  /** Sends an accepted plan; at most `concurrency` at a time, started in decision order. */
  send(plan: Plan): Promise<void>;
}

export async function streamInOrder<Item, Plan>(
  items: readonly Item[],
  options: { concurrency: number; ahead: number; preparing?: number },
  steps: StreamSteps<Item, Plan>,
): Promise<void> {
  const inWork = new Slots(Math.max(1, options.concurrency) + Math.max(0, options.ahead));
  // The first item downloads alone, with all the bandwidth, so the model gets its first request
  // soonest; then up to `preparing` at a time.
  const preparingLimit = Math.max(1, options.preparing ?? options.concurrency + options.ahead);
  const preparing = new Slots(1);
  let rampedUp = false;
  const rampUp = () => {
    if (rampedUp) return;
    rampedUp = true;
    for (let slot = 1; slot < preparingLimit; slot += 1) preparing.give();
  };
  const sending = new Slots(Math.max(1, options.concurrency));
  let decided: Promise<unknown> = Promise.resolve();
  let queued: Promise<unknown> = Promise.resolve();
  const tasks: Promise<void>[] = [];
  // A step that throws fails the stream: nothing more is started, and the error is what it ends with.
  let failed = false;
  for (const [index, item] of items.entries()) {
    await inWork.take();
    if (failed) break;
    const planned = preparing.take().then(async () => {
      try {
        return await steps.prepare(item, index);
      } finally {
        preparing.give();
        rampUp();
      }
    });
    // Handled below through `decision`; this only keeps a rejection behind a failed one from going unheard.
    planned.catch(() => undefined);
    // Decisions are chained in item order, whatever order the plans are ready in.
    const decision = decided.then(async () => {
      const plan = await planned;
      return plan !== undefined && steps.decide(plan) ? plan : undefined;
    });
    decided = decision;
    const readied = decision.then(async (plan) => (plan !== undefined && (await steps.ready(plan)) ? plan : undefined));
    // Slots are taken in item order too: a plan readied early waits for the ones before it, so the
    // requests start in priority order even when an image before it takes longer to prepare.
    const turn = Promise.all([queued, readied]).then(async ([, plan]) => {
      if (plan !== undefined) await sending.take();
      return plan;
    });
    queued = turn;
    tasks.push(
      turn
        .then(async (plan) => {
          if (plan === undefined) return;
          try {
            await steps.send(plan);
          } finally {
            sending.give();
          }
        })
        .catch((error: unknown) => {
          failed = true;
          throw error;
        })
        .finally(() => inWork.give()),
    );
  }
  await Promise.all(tasks);
}

/** A counting semaphore whose waiters are served first come, first served. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(count: number) {
    this.#free = count;
  }

  take(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#free += 1;
    } else {
      next();
    }
  }
}
