import type { Prober, ProbeRequest, ProbeResponse } from '../types.ts';

/** `path` as asked for; `final` after redirects (what `req` and `res` belong to). */
export interface Fetched {
  path: string;
  final: string;
  req: ProbeRequest;
  res: ProbeResponse;
}

export interface FetchOptions {
  /** Without the operator's --header values ("exposed" means readable by anyone). */
  anonymous?: boolean;
  /** API documents: keep up to 4 MiB of the body instead of 64 KiB. */
  large?: boolean;
}

const ACCEPT = 'application/json, application/yaml;q=0.9, text/html;q=0.8, */*;q=0.5';
const DOC_BYTES = 4 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 2;

/**
 * Recon's GETs: each path (per credential mode) is requested once for the whole recon, however
 * many phases ask for it, and same-origin redirects are followed up to two hops (`/docs` →
 * `/docs/`). Redirects elsewhere are never followed: the target is what the operator named.
 */
export class ReconFetcher {
  readonly #probe: Prober;
  readonly #origin: string;
  readonly #cache = new Map<string, Promise<Fetched>>();
  readonly #paths = new Set<string>();

  constructor(probe: Prober, origin: string) {
    this.#probe = probe;
    this.#origin = origin;
  }

  get(path: string, opts: FetchOptions = {}): Promise<Fetched> {
    const key = `${opts.anonymous === true ? 'anon' : 'auth'} ${path}`;
    let pending = this.#cache.get(key);
    if (!pending) {
      this.#paths.add(path);
      pending = this.#fetch(path, opts, 0);
      this.#cache.set(key, pending);
    }
    return pending;
  }

  /** True when `path` was already requested (in either mode). */
  has(path: string): boolean {
    return this.#paths.has(path);
  }

  url(path: string): URL {
    return new URL(path, this.#origin);
  }

  async #fetch(path: string, opts: FetchOptions, hops: number): Promise<Fetched> {
    const req: ProbeRequest = { method: 'GET', target: path, headers: { accept: ACCEPT }, ...(opts.anonymous ? { anonymous: true } : {}), ...(opts.large ? { maxBodyBytes: DOC_BYTES } : {}) };
    const res = await this.#probe.send(req);
    const location = res.headers.location;
    if (REDIRECTS.has(res.status) && location !== undefined && hops < MAX_HOPS && URL.canParse(location, this.url(path).href)) {
      const next = new URL(location, this.url(path));
      if (next.origin === this.#origin) return { ...(await this.#fetch(`${next.pathname}${next.search}`, opts, hops + 1)), path };
    }
    return { path, final: path, req, res };
  }
}

/** The request as evidence shows it: recon's Accept header says nothing about a finding. */
export const bare = (req: ProbeRequest): ProbeRequest => ({ ...req, headers: {} });

/** The methods a path answers: GET, or what a 405's Allow header lists (POST if it lists none). */
export function methodsOf(res: ProbeResponse): string[] {
  if (res.status !== 405) return ['GET'];
  const allowed = (res.headers.allow ?? '').split(',').map((m) => m.trim().toUpperCase()).filter((m) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(m));
  return allowed.length > 0 ? allowed : ['POST'];
}
