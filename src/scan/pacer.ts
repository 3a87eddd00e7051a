/** Waits `ms` milliseconds (the seam tests replace to record waits instead of sleeping). */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket that paces requests to at most `rate` per second. Callers that find it empty
 * reserve a future token (the count goes negative) and wait for it, so concurrent callers queue
 * fairly without a lock. The burst is a tenth of a second's worth: a scan at 100 req/s sends in
 * groups of at most 10, never a whole second's worth at once.
 */
export class Pacer {
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  #tokens: number;
  #last: number;

  constructor(rate: number, opts: { now?: () => number; sleep?: Sleep } = {}) {
    if (!(rate > 0)) throw new RangeError('rate must be positive');
    this.#perMs = rate / 1000;
    this.#capacity = Math.max(1, Math.floor(rate / 10));
    this.#now = opts.now ?? (() => performance.now());
    this.#sleep = opts.sleep ?? realSleep;
    this.#tokens = this.#capacity;
    this.#last = this.#now();
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    this.#tokens -= 1;
    if (this.#tokens < 0) await this.#sleep(-this.#tokens / this.#perMs);
  }
}
