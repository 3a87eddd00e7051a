import { Worker } from 'node:worker_threads';
import { GatehouseError } from '../core/errors.ts';
import type { AuditEntry } from '../core/types.ts';
import type { Store } from '../store/store.ts';

type Reply = { id: number; ok: true } | { id: number; ok: false; message: string } | { ready: true };

// Same extension as this module: .ts when run from source, .js from the compiled package.
const WORKER_URL = new URL(`./store-writer-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The store's background writes (`appendAudit`, `touchApiKeys`) on a worker thread with its own
 * store connection. The AuditQueue
 * in front of it is unchanged: a failed or crashed write rejects, the queue keeps the entries
 * and retries, and the gateway refuses requests meanwhile. A crashed worker is started again.
 */
export class StoreWriterThread implements Pick<Store, 'appendAudit' | 'touchApiKeys'> {
  readonly #opts: { url: string; baseDir: string; auditSealKey?: string };
  #worker: { w: Worker; ready: Promise<void> } | undefined;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 0;

  /** `auditSealKey` seals the head as the request thread's store does (the thread gets it in memory). */
  constructor(opts: { url: string; baseDir: string; auditSealKey?: string }) {
    this.#opts = opts;
  }

  /** Starts the thread and waits until its store is open (so a bad store fails at start, not later). */
  async start(): Promise<void> {
    await this.#ensure().ready;
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<[]> {
    // As JSON text, not as objects: one string crosses to the thread instead of a structured clone
    // of every entry (measured ~1–2 µs per entry less, mostly on the writer thread). Audit entries
    // are JSON data (the store keeps them as JSON), so nothing is lost in the round trip.
    await this.#call({ op: 'appendAudit', entries: JSON.stringify(entries) });
    return []; // the queue only needs to know the write committed
  }

  async touchApiKeys(updates: ReadonlyArray<{ id: string; lastUsedAt: number }>): Promise<void> {
    await this.#call({ op: 'touchApiKeys', updates });
  }

  async #call(message: Record<string, unknown>): Promise<void> {
    const { w, ready } = this.#ensure();
    await ready;
    const id = ++this.#next;
    await new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      w.postMessage({ id, ...message });
    });
  }

  async close(): Promise<void> {
    const current = this.#worker;
    this.#worker = undefined;
    if (!current) return;
    await current.ready.catch(() => undefined);
    current.w.ref(); // keep the process alive until the thread has closed its store
    await new Promise<void>((resolve) => {
      current.w.once('exit', () => resolve());
      current.w.postMessage({ close: true });
      setTimeout(() => void current.w.terminate(), 2_000).unref();
    });
  }

  #ensure(): { w: Worker; ready: Promise<void> } {
    if (this.#worker) return this.#worker;
    // A small young generation: the thread handles batches, not requests, and every MB of new space
    // it does not need is resident memory the gateway does not have to carry (docs/benchmarks.md).
    const w = new Worker(WORKER_URL, { workerData: this.#opts, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    w.unref(); // the AuditQueue's timers, not this thread, decide when the process may exit
    let ready!: { resolve: () => void; reject: (e: Error) => void };
    const current = { w, ready: new Promise<void>((resolve, reject) => (ready = { resolve, reject })) };
    current.ready.catch(() => undefined); // observed by callers; never an unhandled rejection
    w.on('message', (msg: Reply) => {
      if ('ready' in msg) return ready.resolve();
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.ok) p?.resolve();
      else p?.reject(new GatehouseError('audit_write_failed', 503, msg.message, { expose: false }));
    });
    const fail = (err: Error) => {
      if (this.#worker === current) this.#worker = undefined; // next write starts a fresh thread
      ready.reject(err);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new GatehouseError('audit_write_failed', 503, `audit writer thread exited (${code})`, { expose: false })));
    this.#worker = current;
    return current;
  }
}
