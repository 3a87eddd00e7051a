import { mapLimit } from '../map-limit.ts';
import { ScanInterrupted } from '../probe.ts';
import { BudgetExhausted, type Endpoint, type Evidence, type Finding, type Prober, type ScanOptions, type Timeline } from '../types.ts';
import { NotFoundBaseline } from './baseline.ts';
import { discoverDocs } from './docs-discovery.ts';
import { bare, methodsOf, ReconFetcher, type Fetched } from './fetcher.ts';
import { Inventory } from './inventory.ts';
import { extractLinks, robotsPaths } from './links.ts';
import { DOC_LOCATIONS, SENSITIVE_FILES, WELL_KNOWN, WORDLIST } from './locations.ts';
import { endpointsFromDocument, parseApiDocument } from './openapi.ts';
import { docsFinding, sensitiveFileFinding } from './recon-findings.ts';

export interface ReconInput {
  probe: Prober;
  options: Readonly<ScanOptions>;
  timeline: Timeline;
  /** A document the operator supplied with --openapi (already read from its file or URL). */
  document?: { source: string; text: string };
}

export interface ReconResult {
  endpoints: Endpoint[];
  /** What recon itself found: exposed documentation, exposed files. */
  findings: Finding[];
  /** Set when the budget ran out or the scan was interrupted during recon. */
  stopped?: BudgetExhausted | ScanInterrupted;
}

const CONCURRENCY = 8;
const MAX_LINKS = 40;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Builds the endpoint inventory the way an attacker would: the supplied document, documentation
 * at framework-default locations, well-known files, a wordlist of agent-platform paths, then
 * same-origin links found in what came back. Every guess is judged against a not-found baseline
 * (baseline.ts), so catch-all servers and gateways do not fill the inventory with ghosts.
 */
export async function runRecon(input: ReconInput): Promise<ReconResult> {
  return new Recon(input).run();
}

class Recon {
  readonly #in: ReconInput;
  readonly #inventory = new Inventory();
  readonly #findings: Finding[] = [];
  readonly #links = new Set<string>();
  readonly #fetcher: ReconFetcher;
  readonly #baseline: NotFoundBaseline;
  readonly #prefixes: string[];
  #docs: Array<{ path: string; evidence: Evidence }> = [];

  constructor(input: ReconInput) {
    this.#in = input;
    this.#fetcher = new ReconFetcher(input.probe, input.options.target.origin);
    this.#baseline = new NotFoundBaseline(async (path) => (await this.#fetcher.get(path)).res);
    const base = input.options.target.pathname.replace(/\/+$/, '');
    // A base URL with a path (http://host/agent-api) is searched below it first, then at the root.
    this.#prefixes = base === '' ? [''] : [base, ''];
  }

  async run(): Promise<ReconResult> {
    let stopped: ReconResult['stopped'];
    try {
      this.#supplied();
      this.#docs = await discoverDocs({
        fetcher: this.#fetcher, inventory: this.#inventory, probe: this.#in.probe, timeline: this.#in.timeline,
        authenticated: Object.keys(this.#in.options.headers).length > 0, onPage: (f) => this.#collectLinks(f),
      }, this.#candidates(DOC_LOCATIONS));
      await this.#wellKnown();
      await this.#wordlist();
      await this.#followLinks();
    } catch (err) {
      if (!(err instanceof BudgetExhausted || err instanceof ScanInterrupted)) throw err;
      stopped = err;
    }
    if (this.#docs.length > 0) this.#findings.unshift(docsFinding(this.#docs));
    this.#in.timeline.event(`Identified ${plural(this.#inventory.size, 'API endpoint')}`);
    return { endpoints: this.#inventory.list(), findings: this.#findings, ...(stopped ? { stopped } : {}) };
  }

  #supplied(): void {
    const d = this.#in.document;
    if (!d) return;
    const doc = parseApiDocument(d.text);
    if (!doc) throw new Error(`${d.source} is not an OpenAPI 3 or Swagger 2 document`);
    const endpoints = endpointsFromDocument(doc);
    for (const e of endpoints) this.#inventory.add(e);
    this.#in.timeline.event(`Loaded ${plural(endpoints.length, 'operation')} from ${d.source}`);
  }

  async #wellKnown(): Promise<void> {
    const found = await mapLimit(WELL_KNOWN, CONCURRENCY, (p) => this.#fetcher.get(p));
    const read: string[] = [];
    for (const f of found) {
      if (f.res.status !== 200 || (await this.#baseline.isMissing(f.path, f.res))) continue;
      read.push(f.path);
      if (f.path === '/robots.txt') for (const p of robotsPaths(f.res.body)) this.#links.add(p);
      else this.#collectLinks(f);
    }
    if (read.length > 0) this.#in.timeline.event(`Read well-known files: ${read.join(', ')}`);
  }

  async #wordlist(): Promise<void> {
    const candidates = this.#candidates(WORDLIST).filter((p) => !this.#inventory.knowsPath(p));
    const before = this.#inventory.size;
    await mapLimit(candidates, CONCURRENCY, async (path) => {
      const f = await this.#fetcher.get(path);
      if (await this.#baseline.isMissing(path, f.res)) return;
      for (const method of methodsOf(f.res)) this.#inventory.add({ method, path, params: [], source: 'wordlist' });
      const sensitive = SENSITIVE_FILES.find((s) => path.endsWith(s.path));
      if (sensitive && f.res.status === 200 && sensitive.looksLike.test(f.res.body) && !/^\s*</.test(f.res.body)) {
        this.#findings.push(sensitiveFileFinding(sensitive, path, this.#in.probe.evidence(bare(f.req), f.res)));
        this.#in.timeline.event(`Found an exposed ${sensitive.what} at ${path}`);
      }
      this.#collectLinks(f);
    });
    const added = this.#inventory.size - before;
    if (added > 0) this.#in.timeline.event(`Found ${plural(added, 'more endpoint')} with the built-in wordlist`);
  }

  async #followLinks(): Promise<void> {
    const candidates = [...this.#links].filter((p) => !this.#inventory.knowsPath(p) && !this.#fetcher.has(p)).slice(0, MAX_LINKS);
    const before = this.#inventory.size;
    await mapLimit(candidates, CONCURRENCY, async (path) => {
      const f = await this.#fetcher.get(path);
      if (await this.#baseline.isMissing(path, f.res)) return;
      for (const method of methodsOf(f.res)) this.#inventory.add({ method, path, params: [], source: 'link' });
    });
    const added = this.#inventory.size - before;
    if (added > 0) this.#in.timeline.event(`Followed links in responses: ${plural(added, 'more endpoint')}`);
  }

  #collectLinks(f: Fetched): void {
    if (f.res.status < 200 || f.res.status >= 300) return;
    for (const p of extractLinks(f.res.body, f.res.headers['content-type'] ?? '', this.#fetcher.url(f.path))) this.#links.add(p);
  }

  #candidates(paths: readonly string[]): string[] {
    return [...new Set(this.#prefixes.flatMap((prefix) => paths.map((p) => `${prefix}${p}`)))];
  }
}
