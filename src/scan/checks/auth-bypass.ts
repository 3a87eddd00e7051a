import { randomBytes } from 'node:crypto';
import type { Endpoint, Evidence, Finding, ProbeRequest, ProbeResponse, ScanCheck, ScanContext } from '../types.ts';
import { bypassVariants, splitGroup, type BypassVariant } from './bypass-variants.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { fillPath, isDataBearingPath, isPublicByDesign } from './endpoint-targets.ts';
import { BYPASS_REMEDIATION } from './remediation-text.ts';
import { is2xx, isRefusal, returnsContent, samePage, type Shape } from './response-shape.ts';

/** Refused endpoints tried (each costs ~25 requests); bypasses usually follow one rule per prefix. */
const MAX_ENDPOINTS = 6;

export type BypassVerdict = 'bypass' | 'head-bypass' | undefined;

/**
 * Did a variant turn the refusal into an answer? A 2xx with content that is not the site's
 * catch-all page (SPA fallback, soft 404) and not the page the variant really asked for (`sameAs`,
 * e.g. `/` for X-Original-URL). A 2xx to HEAD has no body, but shows the handler ran unauthenticated.
 */
export function bypassVerdict(v: Pick<BypassVariant, 'req'>, res: Shape, ref: { catchAll?: Shape; sameAs?: Shape }): BypassVerdict {
  if (!is2xx(res.status)) return undefined;
  if (v.req.method === 'HEAD') return 'head-bypass';
  if (!returnsContent(res)) return undefined;
  if (ref.catchAll && is2xx(ref.catchAll.status) && samePage(ref.catchAll, res)) return undefined;
  if (ref.sameAs && samePage(ref.sameAs, res)) return undefined;
  return 'bypass';
}

/** Data-bearing endpoints first, and one per path prefix before a second of the same prefix. */
export function orderCandidates(eps: readonly Endpoint[]): Endpoint[] {
  const prefix = (p: string): string => p.split('/').slice(0, 3).join('/');
  const sorted = [...eps].sort((a, b) => Number(isDataBearingPath(b.path)) - Number(isDataBearingPath(a.path)));
  const firsts: Endpoint[] = [];
  const rest: Endpoint[] = [];
  const seen = new Set<string>();
  for (const ep of sorted) {
    (seen.has(prefix(ep.path)) ? rest : firsts).push(ep);
    seen.add(prefix(ep.path));
  }
  return [...firsts, ...rest];
}

interface Refused {
  ep: Endpoint;
  req: ProbeRequest;
  res: ProbeResponse;
}
interface Hit {
  technique: string;
  req: ProbeRequest;
  res: ProbeResponse;
  verdict: Exclude<BypassVerdict, undefined>;
}

const anon = (target: string): ProbeRequest => ({ method: 'GET', target, anonymous: true });

async function refusedEndpoints(ctx: ScanContext): Promise<{ refused: Refused[]; lockedOut: boolean }> {
  const refused: Refused[] = [];
  const seen = new Set<string>();
  for (const ep of orderCandidates(ctx.inventory.filter((e) => e.method === 'GET' && !isPublicByDesign(e.path)))) {
    if (refused.length >= MAX_ENDPOINTS) break;
    const req = anon(fillPath(ep));
    if (seen.has(req.target)) continue;
    seen.add(req.target);
    const res = await ctx.probe.send(req);
    if (res.status === 429) return { refused, lockedOut: true };
    if (isRefusal(res.status)) refused.push({ ep, req, res });
  }
  return { refused, lockedOut: false };
}

/** Tries every variant on one refused endpoint; `locked` reports a 429 (lockout) midway. */
async function tryVariants(ctx: ScanContext, r: Refused, ref: { catchAll: ProbeResponse; root: () => Promise<ProbeResponse> }): Promise<{ hits: Hit[]; locked: boolean }> {
  // A POST with an override header must not create anything: only where no POST is documented, or with --allow-writes.
  const postOverrides = ctx.options.allowWrites || !ctx.inventory.some((e) => e.method === 'POST' && e.path === r.ep.path);
  const hits: Hit[] = [];
  for (const v of bypassVariants(r.req.target, { postOverrides })) {
    ctx.timeline.progress(`${v.technique}: ${v.req.method} ${v.req.target}`);
    const res = await ctx.probe.send(v.req);
    if (res.status === 429) return { hits, locked: true };
    const sameAs = v.sameAs === undefined ? undefined : await ref.root();
    const verdict = bypassVerdict(v, res, { catchAll: ref.catchAll, sameAs });
    if (!verdict) continue;
    if (!v.group) {
      hits.push({ technique: v.technique, req: v.req, res, verdict });
      continue;
    }
    const before = hits.length;
    for (const one of splitGroup(v)) {
      const alone = await ctx.probe.send(one.req);
      const d = bypassVerdict(one, alone, { catchAll: ref.catchAll });
      if (d) hits.push({ technique: one.technique, req: one.req, res: alone, verdict: d });
    }
    if (hits.length === before) hits.push({ technique: v.technique, req: v.req, res, verdict });
  }
  return { hits, locked: false };
}

async function finding(ctx: ScanContext, r: Refused, hits: Hit[]): Promise<Finding> {
  const label = `GET ${r.ep.path}`;
  const full = hits.some((h) => h.verdict === 'bypass');
  let reference: ProbeResponse | undefined;
  // Scanning as an authenticated caller: the real answer shows whether a bypass returned the same data.
  if (Object.keys(ctx.options.headers).length > 0) reference = await ctx.probe.send({ method: 'GET', target: r.req.target });
  const evidence: Evidence[] = [ctx.probe.evidence(r.req, r.res, 'refused without credentials')];
  for (const h of hits) {
    const same = reference && is2xx(reference.status) && h.verdict === 'bypass' && samePage(reference, h.res) ? '; same answer as with credentials' : '';
    evidence.push(ctx.probe.evidence(h.req, h.res, `${h.technique}: ${h.verdict === 'bypass' ? 'answered with data' : 'answered 2xx'} without credentials${same}`));
  }
  const techniques = [...new Set(hits.map((h) => h.technique))];
  return {
    rule: 'auth-bypass', severity: full ? 'critical' : 'high', endpoint: label,
    title: `Authentication bypass on ${label} (${techniques.slice(0, 4).join(', ')}${techniques.length > 4 ? ` and ${techniques.length - 4} more` : ''})`,
    evidence, remediation: BYPASS_REMEDIATION,
  };
}

/** For endpoints that refuse anonymous requests: spellings, methods and headers that get past the refusal. */
export const authBypass: ScanCheck = {
  id: 'auth-bypass',
  title: 'Testing authentication bypasses...',
  async run(ctx) {
    const findings: Finding[] = [];
    await untilBudgetRunsOut(ctx, this.id, async () => {
      const { refused, lockedOut } = await refusedEndpoints(ctx);
      if (lockedOut) ctx.timeline.event('auth-bypass: the target answers 429 (rate limit or failed-authentication lockout); bypasses not testable now');
      if (refused.length === 0) return;
      const catchAll = await ctx.probe.send(anon(`/gatehouse-scan-${randomBytes(6).toString('hex')}`));
      let root: Promise<ProbeResponse> | undefined;
      const ref = { catchAll, root: () => (root ??= ctx.probe.send(anon('/'))) };
      for (const r of refused) {
        const { hits, locked } = await tryVariants(ctx, r, ref);
        if (hits.length > 0) {
          findings.push(await finding(ctx, r, hits));
          ctx.timeline.event(`RESULT: authentication bypass on GET ${r.ep.path}`);
        }
        if (locked) {
          ctx.timeline.event('auth-bypass: the target started answering 429 (lockout); remaining variants skipped');
          break;
        }
      }
    });
    return findings;
  },
};
