import { mapLimit } from '../map-limit.ts';
import type { Endpoint, Evidence, Prober, Timeline } from '../types.ts';
import { endpointsFromPage, isDocsPage, specUrlsFromConfig, specUrlsFromPage } from './docs-page.ts';
import { bare, type Fetched, type ReconFetcher } from './fetcher.ts';
import type { Inventory } from './inventory.ts';
import { endpointsFromDocument, parseApiDocument } from './openapi.ts';

export interface DocsDiscovery {
  fetcher: ReconFetcher;
  inventory: Inventory;
  probe: Prober;
  timeline: Timeline;
  /** Whether the operator gave --header credentials (protected docs are then read with them). */
  authenticated: boolean;
  /** Each docs page found, for link collection. */
  onPage(f: Fetched): void;
}

const CONCURRENCY = 8;

/** Endpoints from a spec URL a docs page names; a swagger-config document is followed one level. */
async function specEndpoints(d: DocsDiscovery, path: string, page: URL, withCredentials: boolean, depth: number): Promise<Endpoint[]> {
  const f = await d.fetcher.get(path, { anonymous: !withCredentials, large: true });
  if (f.res.status !== 200) return [];
  const doc = parseApiDocument(f.res.body);
  if (doc) return endpointsFromDocument(doc);
  if (depth === 0) return [];
  let json: unknown;
  try {
    json = JSON.parse(f.res.body);
  } catch {
    return [];
  }
  const out: Endpoint[] = [];
  for (const next of specUrlsFromConfig(json, page)) out.push(...(await specEndpoints(d, next, page, withCredentials, depth - 1)));
  return out;
}

/**
 * Looks for API documentation at `candidates` without credentials: what answers 200 there is
 * exposed. A docs page (Swagger UI, ReDoc…) is followed to the spec it loads, or failing that its
 * own listing is read. Documentation that only the operator's credentials unlock is read for the
 * inventory but not reported. Returns the exposed locations with their evidence.
 */
export async function discoverDocs(d: DocsDiscovery, candidates: readonly string[]): Promise<Array<{ path: string; evidence: Evidence }>> {
  const found = await mapLimit(candidates, CONCURRENCY, async (p) => {
    const anon = await d.fetcher.get(p, { anonymous: true, large: true });
    if (anon.res.status !== 200 && d.authenticated && (anon.res.status === 401 || anon.res.status === 403)) return { f: await d.fetcher.get(p, { large: true }), exposed: false };
    return { f: anon, exposed: true };
  });
  const exposed: Array<{ path: string; evidence: Evidence }> = [];
  const handled = new Set<string>();
  for (const { f, exposed: open } of found) {
    // /docs redirecting to /api/docs is one document, not two.
    if (f.res.status !== 200 || handled.has(f.final)) continue;
    handled.add(f.final);
    let endpoints: Endpoint[];
    const doc = parseApiDocument(f.res.body);
    if (doc) endpoints = endpointsFromDocument(doc);
    else if (isDocsPage(f.res.body)) {
      const page = d.fetcher.url(f.path);
      endpoints = [];
      for (const spec of specUrlsFromPage(f.res.body, page)) endpoints.push(...(await specEndpoints(d, spec, page, !open, 1)));
      if (endpoints.length === 0) endpoints = endpointsFromPage(f.res.body);
      d.onPage(f);
    } else continue;
    let added = 0;
    for (const e of endpoints) if (d.inventory.add(e)) added++;
    const operations = added > 0 ? ` (${added} operation${added === 1 ? '' : 's'})` : '';
    if (!open) {
      d.timeline.event(`Read API documentation at ${f.path} with the supplied credentials${operations}`);
      continue;
    }
    exposed.push({ path: f.path, evidence: d.probe.evidence(bare(f.req), f.res, `readable without credentials; documents ${endpoints.length} operations`) });
    d.timeline.event(`Discovered exposed API documentation at ${f.path}${operations}`);
  }
  return exposed;
}
