import { randomBytes } from 'node:crypto';
import type { Endpoint, Finding, ProbeRequest, ProbeResponse, ScanCheck, ScanContext } from '../types.ts';
import { isLimited, sendBurst, type BurstResult } from './burst.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { fillPath, hasPathParams, isPublicByDesign, isSearchLike } from './endpoint-targets.ts';
import { RATE_LIMIT_REMEDIATION } from './remediation-text.ts';
import { is2xx, isRefusal } from './response-shape.ts';

const BURST = 100;
const BURST_MAX = 200;
/** Requests left for the checks that run after this one. */
const RESERVE = 100;
const MIN_BURST = 20;
const MAX_CANDIDATES = 6;

/** Cheap GETs first: no path parameters, not a search, not public by design (health answers are limited apart). */
export function burstCandidates(inventory: readonly Endpoint[]): Endpoint[] {
  const cost = (e: Endpoint): number => (isPublicByDesign(e.path) ? 4 : 0) + (hasPathParams(e.path) ? 2 : 0) + (isSearchLike(e.path) ? 1 : 0);
  return inventory.filter((e) => e.method === 'GET').map((e, i) => [e, i] as const).sort(([a, i], [b, j]) => cost(a) - cost(b) || i - j).map(([e]) => e);
}

export type Mode = { kind: 'requests'; req: ProbeRequest; res: ProbeResponse; ep: Endpoint } | { kind: 'auth-failures'; req: ProbeRequest; ep: Endpoint } | { kind: 'limited' } | { kind: 'none' };

/**
 * What to burst: the first GET that answers 2xx (as the operator's credentials allow), smallest
 * body among them; else one that refuses — then the burst carries a wrong credential and tests the
 * failed-authentication lockout. A 429 while choosing means the limit is already in force.
 */
export function chooseMode(tried: ReadonlyArray<{ ep: Endpoint; req: ProbeRequest; res: ProbeResponse }>): Mode {
  if (tried.some((t) => isLimited(t.res))) return { kind: 'limited' };
  const ok = tried.filter((t) => is2xx(t.res.status));
  const open = ok.filter((t) => !isPublicByDesign(t.ep.path));
  const pick = (open.length > 0 ? open : ok).sort((a, b) => a.res.body.length - b.res.body.length)[0];
  if (pick) return { kind: 'requests', ...pick };
  const refused = tried.find((t) => isRefusal(t.res.status));
  if (!refused) return { kind: 'none' };
  const bogus = `gatehouse-scan-invalid-${randomBytes(8).toString('hex')}`;
  return { kind: 'auth-failures', ep: refused.ep, req: { method: 'GET', target: refused.req.target, anonymous: true, headers: { Authorization: `Bearer ${bogus}` } } };
}

function summary(b: BurstResult, rate: number): string {
  const seconds = b.elapsedMs / 1000;
  const statuses = Object.entries(b.statuses).map(([s, n]) => `${n}× ${s}`).join(', ');
  const paced = b.sent / Math.max(seconds, 0.001) >= rate * 0.8 ? `; paced by --rate ${rate}/s, a limit above that rate cannot be seen` : '';
  return `${b.sent} requests in ${seconds.toFixed(1)} s (${Math.round(b.sent / Math.max(seconds, 0.001))}/s): ${statuses}; no 429${paced}`;
}

async function choose(ctx: ScanContext): Promise<Mode> {
  const tried: Array<{ ep: Endpoint; req: ProbeRequest; res: ProbeResponse }> = [];
  for (const ep of burstCandidates(ctx.inventory).slice(0, MAX_CANDIDATES)) {
    const req: ProbeRequest = { method: 'GET', target: fillPath(ep) };
    const res = await ctx.probe.send(req);
    tried.push({ ep, req, res });
    if (isLimited(res) || (is2xx(res.status) && !isPublicByDesign(ep.path))) break;
  }
  return chooseMode(tried);
}

/** A bounded burst at one cheap endpoint: no 429 (or 503 + Retry-After) means no rate limit. */
export const rateLimitAbsent: ScanCheck = {
  id: 'rate-limit',
  title: 'Testing rate limiting...',
  async run(ctx) {
    const findings: Finding[] = [];
    await untilBudgetRunsOut(ctx, this.id, async () => {
      const mode = await choose(ctx);
      if (mode.kind === 'limited') return ctx.timeline.event('Rate limiting: already in force (429 before the burst)');
      if (mode.kind === 'none') return;
      const max = Math.min(BURST_MAX, ctx.probe.remaining() - RESERVE);
      if (max < MIN_BURST) return ctx.timeline.event('Rate limiting: not tested, too little of the request budget left');
      const label = `GET ${mode.ep.path}`;
      ctx.timeline.progress(`burst of up to ${Math.min(BURST, max)} requests to ${label}`);
      const burst = await sendBurst(ctx.probe, mode.req, Math.min(BURST, max), max);
      if (burst.limited) return ctx.timeline.event(`Rate limiting: ${label} answered ${burst.limited.status} after ${burst.sent} requests`);
      if (burst.advertised) return ctx.timeline.event(`Rate limiting: ${label} advertises a limit not reached by ${burst.sent} requests`);
      ctx.timeline.event(`RESULT: no rate limiting (${burst.sent} requests to ${label}, none refused)`);
      if (mode.kind === 'auth-failures') {
        findings.push({
          rule: 'rate-limit', severity: 'medium', endpoint: label,
          title: `No lockout after ${burst.sent} failed authentications on ${label}`,
          evidence: [ctx.probe.evidence(mode.req, burst.last, `${summary(burst, ctx.options.rate)} (every request carried a wrong credential)`)],
          remediation: RATE_LIMIT_REMEDIATION,
        });
        return;
      }
      // Open to anyone as well: unlimited scraping or brute force by anyone who can reach it.
      const anonymous = Object.keys(ctx.options.headers).length === 0 ? mode.res : await ctx.probe.send({ ...mode.req, anonymous: true });
      const open = is2xx(anonymous.status);
      findings.push({
        rule: 'rate-limit', severity: open ? 'high' : 'medium', endpoint: label,
        title: `No rate limiting on ${label}${open ? ' (and it answers without credentials)' : ''}`,
        evidence: [ctx.probe.evidence(mode.req, burst.last, summary(burst, ctx.options.rate))],
        remediation: RATE_LIMIT_REMEDIATION,
      });
    });
    return findings;
  },
};
