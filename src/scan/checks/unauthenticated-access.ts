import { randomBytes } from 'node:crypto';
import type { Endpoint, Evidence, Finding, ProbeRequest, ProbeResponse, ScanCheck, ScanContext, Severity } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { fillPath, isDataBearingPath, isPublicByDesign } from './endpoint-targets.ts';
import { isRefusal, looksLikeRecords, returnsContent, samePage, type Shape } from './response-shape.ts';
import { UNAUTHENTICATED_REMEDIATION } from './remediation-text.ts';
import { probeAnonymousWrites } from './unauthenticated-writes.ts';

/** What an anonymous read of one endpoint showed. */
export type ReadVerdict = 'public-by-design' | 'refused' | 'open-data' | 'open' | 'inconclusive';

/**
 * Classifies an anonymous answer. `catchAll` is the answer to a path that cannot exist: a 2xx that
 * looks the same is a single-page-app fallback or a soft 404, not the endpoint's data.
 */
export function classifyRead(ep: Pick<Endpoint, 'method' | 'path'>, res: Shape, catchAll?: Shape): ReadVerdict {
  if (isPublicByDesign(ep.path)) return 'public-by-design';
  // 429 here is Gatehouse's lockout after failed authentications: a refusal, not an answer.
  if (isRefusal(res.status) || res.status === 429) return 'refused';
  const answered = ep.method === 'HEAD' ? res.status >= 200 && res.status < 300 : returnsContent(res);
  if (!answered) return 'inconclusive';
  if (catchAll && catchAll.status === res.status && samePage(catchAll, res)) return 'inconclusive';
  if (ep.method === 'HEAD') return 'open';
  return isDataBearingPath(ep.path) || looksLikeRecords(res.body) ? 'open-data' : 'open';
}

interface OpenRead {
  label: string;
  severity: Severity;
  evidence: Evidence;
}

const severityOf = (v: ReadVerdict): Severity => (v === 'open-data' ? 'critical' : 'high');
const worst = (xs: readonly OpenRead[]): Severity => (xs.some((x) => x.severity === 'critical') ? 'critical' : 'high');
const MAX_EVIDENCE = 25;

/** One finding when nothing refused (the article's "no authentication required on any endpoint"), else one per endpoint. */
export function readFindings(open: readonly OpenRead[], refused: number): Finding[] {
  if (open.length === 0) return [];
  if (refused === 0 && open.length >= 3) {
    const evidence = open.slice(0, MAX_EVIDENCE).map((o) => o.evidence);
    if (open.length > MAX_EVIDENCE) evidence.push({ request: '…', note: `and ${open.length - MAX_EVIDENCE} more endpoints` });
    return [{
      rule: 'unauthenticated-access', severity: worst(open),
      title: `No authentication required on any endpoint (${open.length} of ${open.length} answered without credentials)`,
      evidence, remediation: UNAUTHENTICATED_REMEDIATION,
    }];
  }
  return open.map((o) => ({
    rule: 'unauthenticated-access', severity: o.severity, endpoint: o.label,
    title: `Unauthenticated access to ${o.label} (${o.severity === 'critical' ? 'returned data' : 'answered'} without credentials)`,
    evidence: [o.evidence], remediation: UNAUTHENTICATED_REMEDIATION,
  }));
}

async function catchAllOf(ctx: ScanContext): Promise<ProbeResponse> {
  return ctx.probe.send({ method: 'GET', target: `/gatehouse-scan-${randomBytes(6).toString('hex')}`, anonymous: true });
}

/** Every documented GET/HEAD without credentials; writes only with --allow-writes (unauthenticated-writes.ts). */
export const unauthenticatedAccess: ScanCheck = {
  id: 'unauthenticated-access',
  title: 'Testing authentication requirements...',
  async run(ctx) {
    const open: OpenRead[] = [];
    const findings: Finding[] = [];
    let refused = 0;
    await untilBudgetRunsOut(ctx, this.id, async () => {
      const catchAll = await catchAllOf(ctx);
      for (const ep of ctx.inventory.filter((e) => e.method === 'GET' || e.method === 'HEAD')) {
        if (isPublicByDesign(ep.path)) continue;
        const req: ProbeRequest = { method: ep.method, target: fillPath(ep), anonymous: true };
        ctx.timeline.progress(`${req.method} ${req.target} without credentials`);
        const res = await ctx.probe.send(req);
        const verdict = classifyRead(ep, res, catchAll);
        if (verdict === 'refused') refused++;
        if (verdict !== 'open' && verdict !== 'open-data') continue;
        const note = verdict === 'open-data' ? 'returned data without credentials' : 'answered without credentials';
        open.push({ label: `${ep.method} ${ep.path}`, severity: severityOf(verdict), evidence: ctx.probe.evidence(req, res, note) });
      }
      if (ctx.options.allowWrites) await probeAnonymousWrites(ctx, findings);
    });
    const reads = readFindings(open, refused);
    if (reads.length === 1 && reads[0]!.endpoint === undefined) ctx.timeline.event('RESULT: No authentication required on any endpoint');
    else if (open.length > 0) ctx.timeline.event(`RESULT: ${open.length} endpoint(s) answered without authentication`);
    return [...reads, ...findings];
  },
};
