import { Pool } from 'undici';
import { Pacer, type Sleep } from './pacer.ts';
import { createRedactor, excerpt, oneLine, type Redact } from './redact.ts';
import { flattenHeaders, mergeHeaders, readCapped, requestTarget } from './probe-wire.ts';
import { isLoopbackHost } from './target-policy.ts';
import { BudgetExhausted, type Evidence, type Prober, type ProbeRequest, type ProbeResponse } from './types.ts';

/** The scan was stopped (Ctrl-C): no further requests are sent. */
export class ScanInterrupted extends Error {
  constructor() {
    super('scan interrupted');
    this.name = 'ScanInterrupted';
  }
}

export interface HttpProberOptions {
  base: URL;
  /** Sent with every request; their values are redacted wherever they show up. */
  headers: Record<string, string>;
  maxRequests: number;
  rate: number;
  timeoutMs: number;
  /** Called after each request is counted (the live progress line). */
  onSend?: (sent: number) => void;
  signal?: AbortSignal;
  /** Seams for the rate tests. */
  now?: () => number;
  sleep?: Sleep;
}

const MAX_BODY = 64 * 1024;
const MAX_BODY_LIMIT = 4 * 1024 * 1024;
const CONNECTIONS_PER_ORIGIN = 8;

/** The Prober over undici: one connection pool per origin, a request budget, a rate, timeouts. */
export class HttpProber implements Prober {
  readonly #opts: HttpProberOptions;
  readonly #pools = new Map<string, Pool>();
  readonly #pacer: Pacer;
  readonly #redact: Redact;
  #sent = 0;

  constructor(opts: HttpProberOptions) {
    this.#opts = opts;
    this.#pacer = new Pacer(opts.rate, { now: opts.now, sleep: opts.sleep });
    this.#redact = createRedactor(Object.values(opts.headers));
  }

  get sent(): number {
    return this.#sent;
  }

  remaining(): number {
    return Math.max(0, this.#opts.maxRequests - this.#sent);
  }

  async send(req: ProbeRequest): Promise<ProbeResponse> {
    if (this.#opts.signal?.aborted) throw new ScanInterrupted();
    if (this.#sent >= this.#opts.maxRequests) throw new BudgetExhausted();
    const origin = this.#origin(req.origin);
    // Counted before the wait: concurrent callers cannot overshoot the budget together.
    this.#sent++;
    this.#opts.onSend?.(this.#sent);
    await this.#pacer.take();
    if (this.#opts.signal?.aborted) throw new ScanInterrupted();
    const json = req.json === undefined ? undefined : { 'content-type': 'application/json' };
    const headers = mergeHeaders({ 'user-agent': 'gatehouse-scan' }, json, req.anonymous === true ? undefined : this.#opts.headers, req.headers);
    const body = req.json === undefined ? req.body : JSON.stringify(req.json);
    const timeoutMs = req.timeoutMs ?? this.#opts.timeoutMs;
    const started = performance.now();
    try {
      const res = await this.#pool(origin).request({
        method: req.method, path: requestTarget(req.target), headers, body,
        signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
      });
      const text = await readCapped(res.body, Math.min(req.maxBodyBytes ?? MAX_BODY, MAX_BODY_LIMIT));
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: text, elapsedMs: performance.now() - started };
    } catch {
      // Refused, reset, timed out, TLS failure: all the same to a check ("no answer").
      return { status: 0, headers: {}, body: '', elapsedMs: performance.now() - started };
    }
  }

  evidence(req: ProbeRequest, res: ProbeResponse | undefined, note?: string): Evidence {
    const where = req.origin === undefined ? '' : new URL(req.origin).origin;
    const parts = [`${req.method} ${where}${requestTarget(req.target)}`];
    for (const [name, value] of Object.entries(req.headers ?? {})) parts.push(`${name}: ${value}`);
    const body = req.json !== undefined ? JSON.stringify(req.json) : req.body;
    if (body !== undefined && body !== '') parts.push(`body ${body}`);
    const evidence: Evidence = { request: excerpt(parts.map((p) => oneLine(p)).join(' | '), this.#redact, 400) };
    if (res !== undefined) {
      evidence.status = res.status;
      if (res.body !== '') evidence.response = excerpt(res.body, this.#redact);
    }
    if (note !== undefined) evidence.note = excerpt(note, this.#redact);
    return evidence;
  }

  /** Closes every connection pool. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }

  #origin(override: string | undefined): string {
    if (override === undefined) return this.#opts.base.origin;
    const url = new URL(override);
    // A check may reach another address of the same machine (binding exposure), never a new host:
    // --authorized covers the target the operator named, not wherever a response points.
    if (url.origin !== this.#opts.base.origin && !(isLoopbackHost(url.hostname) && isLoopbackHost(this.#opts.base.hostname))) {
      throw new Error(`probe refused: ${url.origin} is not the scan target`);
    }
    return url.origin;
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      const loopback = isLoopbackHost(new URL(origin).hostname);
      // Local HTTPS usually has a self-signed certificate (the transport check judges it); a remote
      // target gets normal verification so --header credentials never go to an impostor.
      pool = new Pool(origin, { connections: CONNECTIONS_PER_ORIGIN, connect: { rejectUnauthorized: !loopback }, keepAliveTimeout: 2000 });
      this.#pools.set(origin, pool);
    }
    return pool;
  }
}
