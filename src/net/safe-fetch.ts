import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { GatehouseError } from '../core/errors.ts';
import { blockedAddressReason, checkOutboundUrl } from './outbound-policy.ts';

/** Resolves a hostname to every address it has (the seam tests use instead of real DNS). */
export type ResolveHost = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export interface SafeFetchOptions {
  /** Operator's explicit exception: the configured origin may be private/loopback and plain http. */
  allowPrivateNetwork: boolean;
  /** Whole-operation budget: connect, redirects, headers and body. */
  timeoutMs?: number;
  maxBytes?: number;
  lookup?: ResolveHost;
  /** Extra trusted CA certificates (a private issuer's CA); certificate checks stay on. */
  ca?: string | Buffer | Array<string | Buffer>;
}

const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const JSON_TYPES = new Set(['application/json', 'application/jwk-set+json']);

const resolveAll: ResolveHost = (hostname, family) => dnsLookup(hostname, { all: true, family, order: 'verbatim' });
const failed = (message: string, cause?: unknown): GatehouseError => new GatehouseError('outbound_failed', 502, message, { cause });

/**
 * The DNS step of every connection. Checking the addresses actually handed to connect() (not a
 * separate earlier lookup) is what defeats DNS rebinding. IP literals skip lookup entirely; those
 * were judged by checkOutboundUrl.
 */
function guardedLookup(resolve: ResolveHost, enforce: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const settle = (addresses: LookupAddress[]): Error | LookupAddress[] => {
      if (addresses.length === 0) return failed(`${hostname} did not resolve to any address`);
      const bad = enforce ? addresses.find((a) => blockedAddressReason(a.address) !== undefined) : undefined;
      if (bad) return new GatehouseError('outbound_refused', 400, `${hostname} resolves to ${bad.address}, which is ${blockedAddressReason(bad.address)}; not allowed without allowPrivateNetwork`);
      return addresses;
    };
    Promise.resolve().then(() => resolve(hostname, family)).then(settle, (err: Error) => failed(`DNS lookup of ${hostname} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, err)).then((result) => {
      if (result instanceof Error) callback(result, '', 0);
      else if (options.all) callback(null, result);
      else callback(null, result[0]!.address, result[0]!.family);
    });
  };
}

/** The GatehouseError our lookup raised, wherever undici wrapped it. */
function ownError(err: unknown): GatehouseError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof GatehouseError) return e;
  return undefined;
}

/**
 * Fetches small JSON documents (JWKS, discovery) from URLs an operator configured, refusing
 * destinations that are not public unicast (SECURITY-CASES 42) before and after DNS, following at
 * most 3 redirects by hand, and bounding time and bytes. One instance owns its connection pools;
 * call close() when done.
 */
export class SafeFetcher {
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #strict: Agent;
  // Used only for the configured origin: a redirect elsewhere must not inherit the exception.
  readonly #open: Agent | undefined;

  constructor(opts: SafeFetchOptions) {
    this.#allowPrivate = opts.allowPrivateNetwork;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#maxBytes = opts.maxBytes ?? 256 * 1024;
    const agent = (enforce: boolean): Agent => new Agent({
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      connect: { timeout: this.#timeoutMs, lookup: guardedLookup(opts.lookup ?? resolveAll, enforce), ...(opts.ca === undefined ? {} : { ca: opts.ca }) },
    });
    this.#strict = agent(true);
    this.#open = this.#allowPrivate ? agent(false) : undefined;
  }

  /** GETs `raw` and returns its parsed JSON body; throws outbound_refused (400) or outbound_failed (502). */
  async fetchJson(raw: string): Promise<unknown> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let url = checkOutboundUrl(raw, { allowPrivateNetwork: this.#allowPrivate });
    const origin = url.origin;
    for (let redirects = 0; ; redirects++) {
      const trusted = this.#open !== undefined && url.origin === origin;
      const res = await this.#guard(url, signal, () => (trusted ? this.#open! : this.#strict).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'gatehouse' },
        signal,
      }));
      if (!REDIRECT_STATUSES.has(res.statusCode)) return this.#guard(url, signal, () => this.#readJson(url, res));
      discard(res.body);
      if (redirects === MAX_REDIRECTS) throw failed(`${where(url)}: more than ${MAX_REDIRECTS} redirects`);
      const location = res.headers.location;
      if (typeof location !== 'string' || !URL.canParse(location, url.href)) throw failed(`${where(url)}: HTTP ${res.statusCode} without a valid Location`);
      const next = new URL(location, url);
      url = checkOutboundUrl(next.href, { allowPrivateNetwork: this.#open !== undefined && next.origin === origin });
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#strict.close(), this.#open?.close()]);
  }

  async #readJson(url: URL, res: Dispatcher.ResponseData): Promise<unknown> {
    const { statusCode, headers, body } = res;
    const fail = (message: string): GatehouseError => {
      discard(body);
      return failed(`${where(url)}: ${message}`);
    };
    if (statusCode < 200 || statusCode > 299) throw fail(`HTTP ${statusCode}`);
    const type = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPES.has(type)) throw fail(`content-type "${type.slice(0, 100)}" is not JSON`);
    if (Number(headers['content-length']) > this.#maxBytes) throw fail(`body larger than ${this.#maxBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.#maxBytes) throw fail(`body larger than ${this.#maxBytes} bytes`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
    } catch {
      // The parser's message quotes the body; say only that it was not JSON.
      throw failed(`${where(url)}: body is not valid UTF-8 JSON`);
    }
  }

  /** Runs one network step, mapping low-level failures to outbound_failed with a precise reason. */
  async #guard<T>(url: URL, signal: AbortSignal, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      const own = ownError(err);
      if (own) throw own;
      if (signal.aborted) throw failed(`${where(url)}: timed out after ${this.#timeoutMs} ms`, err);
      const code = (err as NodeJS.ErrnoException).code;
      throw failed(`${where(url)}: ${code ?? (err as Error).message}`, err);
    }
  }
}

/** Drops a response body we will not read; undici reports that as an AbortError nobody needs. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

/** Where a request went, for error messages: never the query (it may carry secrets). */
function where(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** One-shot convenience: a SafeFetcher for a single fetch, closed afterwards. */
export async function safeFetchJson(url: string, opts: SafeFetchOptions): Promise<unknown> {
  const fetcher = new SafeFetcher(opts);
  try {
    return await fetcher.fetchJson(url);
  } finally {
    await fetcher.close();
  }
}
