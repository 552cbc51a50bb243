/**
 * At most `maxRunning` answers are worked on at once (downloads, media preparation and model calls are
 * heavy); up to `maxWaiting` more wait their turn, and beyond that `tryEnter` says no at once.
 * In-process on purpose: it protects this process's memory and CPU.
 */
export class ConcurrencyLimit {
  readonly #maxRunning: number;
  readonly #maxWaiting: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(maxRunning: number, maxWaiting: number) {
    this.#maxRunning = maxRunning;
    this.#maxWaiting = maxWaiting;
  }

  get running(): number {
    return this.#running;
  }

  /** Answers waiting for a slot now (the queue depth in /metrics). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free, or undefined when the queue is full. */
  async tryEnter(): Promise<(() => void) | undefined> {
    if (this.#running >= this.#maxRunning) {
      if (this.#waiting.length >= this.#maxWaiting) {
        return undefined;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#running -= 1;
      } else {
        // The slot passes straight to the next waiter; the running count is unchanged.
        next();
      }
    };
  }
}
