import { GatehouseError } from '../core/errors.ts';
import type { AuditEntry } from '../core/types.ts';
import type { Store } from '../store/store.ts';

/** Timer functions, injectable so tests can fire flush and retry deadlines by hand. */
export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AuditQueueOptions {
  /** Depth at which accepting() turns false (the gateway then refuses requests). */
  queueSize: number;
  /** Most entries per appendAudit call. */
  batchSize: number;
  /** Longest time a partial batch waits before it is written. */
  flushIntervalMs: number;
  /** Write failures and dropped entries; must not throw. */
  onError?: (err: unknown) => void;
  /** Called with the new depth whenever it changes (metrics gauge). */
  onDepth?: (n: number) => void;
  timers?: QueueTimers;
  /** Retry delay after a failed write: doubles from initialMs, capped at maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Consecutive failed writes flush() tolerates before it rejects. */
  flushAttempts?: number;
}

// Not unref'd on purpose: buffered audit entries should keep the process alive until written.
const systemTimers: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * The bounded buffer between the request path and the audit store. Entries are written in order,
 * in batches, one write at a time; a failed write keeps its entries and is retried with capped
 * exponential backoff. While the store is failing or the buffer is full, accepting() is false so
 * the gateway refuses requests instead of serving them unaudited.
 */
export class AuditQueue {
  readonly #store: Pick<Store, 'appendAudit'>;
  readonly #opts: Required<Omit<AuditQueueOptions, 'onError' | 'onDepth'>> & Pick<AuditQueueOptions, 'onError' | 'onDepth'>;
  #buffer: AuditEntry[] = [];
  #inFlight = false;
  // One timer slot: a flush-interval timer while healthy, a retry timer while failing.
  #timer: { kind: 'interval' | 'retry'; handle: unknown } | undefined;
  #failures = 0; // consecutive failed writes; > 0 means the sink is failing
  #enqueued = 0;
  #written = 0;
  #dropped = 0;
  #closing = false;
  #stopped = false;
  #settleWaiters: Array<(ok: boolean) => void> = [];

  constructor(store: Pick<Store, 'appendAudit'>, opts: AuditQueueOptions) {
    this.#store = store;
    this.#opts = {
      ...opts,
      timers: opts.timers ?? systemTimers,
      backoff: opts.backoff ?? { initialMs: 50, maxMs: 2_000 },
      flushAttempts: opts.flushAttempts ?? 5,
    };
  }

  /** False while the store is failing, the buffer holds queueSize entries or more, or the queue is closing. */
  accepting(): boolean {
    return !this.#closing && this.#failures === 0 && this.#buffer.length < this.#opts.queueSize;
  }

  get depth(): number {
    return this.#buffer.length;
  }

  /** Entries refused because the hard cap (2 × queueSize) was reached or the queue was closed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Buffers an entry without blocking. False (entry dropped, onError called) only past the hard cap or after close. */
  enqueue(entry: AuditEntry): boolean {
    const reason = this.#closing ? 'audit queue is closed' : this.#buffer.length >= 2 * this.#opts.queueSize ? 'audit queue overflow' : undefined;
    if (reason !== undefined) {
      this.#dropped += 1;
      this.#report(new GatehouseError('audit_unavailable', 503, `${reason}: entry ${entry.requestId} dropped`, { expose: false }));
      return false;
    }
    this.#buffer.push(entry);
    this.#enqueued += 1;
    this.#depthChanged();
    this.#schedule();
    return true;
  }

  /**
   * Writes every entry buffered at the time of the call. Tries at once, then follows the retry
   * backoff; rejects after `flushAttempts` consecutive failures (the entries stay buffered).
   */
  async flush(): Promise<void> {
    const target = this.#enqueued;
    let failures = 0;
    let first = true;
    // The length test only guards against spinning should the counters ever disagree with the buffer.
    while (this.#written < target && this.#buffer.length > 0) {
      // An explicit flush skips the wait for the interval (and, the first time, for a retry).
      if (!this.#inFlight && (first || this.#timer?.kind !== 'retry')) {
        this.#clearTimer();
        void this.#write();
      }
      first = false;
      const ok = await new Promise<boolean>((resolve) => this.#settleWaiters.push(resolve));
      if (!ok && ++failures >= this.#opts.flushAttempts) {
        throw new GatehouseError('audit_unavailable', 503, `audit store failed ${failures} times in a row; ${this.depth} entries still buffered`, { expose: false });
      }
    }
  }

  /** Refuses new entries, flushes the buffer, then stops all timers (also when the flush fails). */
  async close(): Promise<void> {
    this.#closing = true;
    try {
      await this.flush();
    } finally {
      this.#stopped = true;
      this.#clearTimer();
    }
  }

  #schedule(): void {
    if (this.#inFlight || this.#stopped || this.#timer?.kind === 'retry') return;
    if (this.#buffer.length >= this.#opts.batchSize) {
      this.#clearTimer();
      void this.#write();
    } else if (this.#buffer.length > 0 && !this.#timer) {
      this.#setTimer('interval', this.#opts.flushIntervalMs);
    }
  }

  async #write(): Promise<void> {
    this.#inFlight = true;
    const batch = this.#buffer.slice(0, this.#opts.batchSize);
    let ok: boolean;
    try {
      await this.#store.appendAudit(batch);
      ok = true;
    } catch (err) {
      ok = false;
      this.#report(err);
    }
    this.#inFlight = false;
    if (ok) {
      // The buffer only grows at its tail while a write is in flight, so the batch is still its head.
      this.#buffer.splice(0, batch.length);
      this.#written += batch.length;
      this.#failures = 0;
      this.#depthChanged();
      this.#schedule();
    } else {
      this.#failures += 1;
      const { initialMs, maxMs } = this.#opts.backoff;
      if (!this.#stopped) this.#setTimer('retry', Math.min(initialMs * 2 ** (this.#failures - 1), maxMs));
    }
    for (const settle of this.#settleWaiters.splice(0)) settle(ok);
  }

  #setTimer(kind: 'interval' | 'retry', ms: number): void {
    this.#clearTimer();
    const handle = this.#opts.timers.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#inFlight && this.#buffer.length > 0) void this.#write();
    }, ms);
    this.#timer = { kind, handle };
  }

  #clearTimer(): void {
    if (this.#timer) this.#opts.timers.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
  }

  #depthChanged(): void {
    try {
      this.#opts.onDepth?.(this.#buffer.length);
    } catch {
      // a metrics callback must not break the audit path
    }
  }

  #report(err: unknown): void {
    try {
      this.#opts.onError?.(err);
    } catch {
      // a logging callback must not break the audit path
    }
  }
}
