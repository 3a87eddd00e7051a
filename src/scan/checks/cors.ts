import type { Evidence, Finding, ProbeRequest, ScanCheck, ScanContext } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { concretePath, getSamples } from './endpoint-sample.ts';

export const EVIL_ORIGIN = 'https://evil.example';

/** What one response's CORS headers allow a foreign origin to do. */
export interface CorsVerdict {
  rule: 'cors/credentialed-reflection' | 'cors/wildcard-credentials' | 'cors/reflection';
  severity: 'high' | 'low';
  note: string;
}

/**
 * Judges the CORS headers of a response to a request sent with `Origin: sentOrigin`:
 * - the origin (or `null`) echoed with `Access-Control-Allow-Credentials: true` → high: any site
 *   can read responses with the victim's cookies or HTTP auth;
 * - `*` with credentials → high (browsers refuse it, but it shows credentials are meant to flow);
 * - the origin echoed without credentials → low (any site may read what is public anyway);
 * - a fixed allow-listed origin, `*` alone, or nothing → no verdict.
 */
export function judgeCors(sentOrigin: string, headers: Record<string, string>): CorsVerdict | undefined {
  const allow = headers['access-control-allow-origin']?.trim();
  const credentials = headers['access-control-allow-credentials']?.trim().toLowerCase() === 'true';
  if (!allow) return undefined;
  if (allow === '*') return credentials ? { rule: 'cors/wildcard-credentials', severity: 'high', note: 'Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true' } : undefined;
  if (allow.toLowerCase() !== sentOrigin.toLowerCase()) return undefined;
  const what = `Origin: ${sentOrigin} reflected in Access-Control-Allow-Origin`;
  return credentials
    ? { rule: 'cors/credentialed-reflection', severity: 'high', note: `${what} with Access-Control-Allow-Credentials: true` }
    : { rule: 'cors/reflection', severity: 'low', note: `${what} (without credentials)` };
}

const TITLES: Record<CorsVerdict['rule'], string> = {
  'cors/credentialed-reflection': 'CORS reflects any Origin with Access-Control-Allow-Credentials: true',
  'cors/wildcard-credentials': 'CORS allows * together with Access-Control-Allow-Credentials: true',
  'cors/reflection': 'CORS reflects any Origin (without credentials)',
};

const REMEDIATION =
  'Allow-list exact trusted origins in the upstream; never echo the Origin header and never pair `*` or `null` with credentials — an API ' +
  'called by agents rather than browsers usually needs no CORS at all. Behind Gatehouse every route is routes[].auth: strict (the default) ' +
  'and callers present bearer API keys or tokens that a browser never attaches on its own, so a reflected origin cannot ride a victim\'s ' +
  'session; Gatehouse forwards upstream CORS headers unchanged, though, so fix them at the source.';

/** One finding per rule, naming every endpoint where it was seen. */
export function corsFindings(seen: ReadonlyArray<{ label: string; verdict: CorsVerdict; evidence: Evidence }>): Finding[] {
  const byRule = new Map<CorsVerdict['rule'], typeof seen[number][]>();
  for (const s of seen) byRule.set(s.verdict.rule, [...(byRule.get(s.verdict.rule) ?? []), s]);
  return [...byRule.entries()].map(([rule, list]) => {
    const endpoints = [...new Set(list.map((s) => s.label))];
    return {
      rule,
      severity: list[0]!.verdict.severity,
      title: `${TITLES[rule]} (${endpoints.join(', ')})`,
      endpoint: endpoints[0]!,
      evidence: list.slice(0, 3).map((s) => s.evidence),
      remediation: REMEDIATION,
    };
  });
}

/** GETs from a foreign and from the `null` origin, and preflights, over a few endpoints. */
function corsProbes(ctx: ScanContext): Array<{ label: string; origin: string; req: ProbeRequest }> {
  const gets = getSamples(ctx, 3);
  const out = gets.map((s) => ({ label: s.label, origin: EVIL_ORIGIN, req: { method: 'GET', target: s.target, headers: { origin: EVIL_ORIGIN } } }));
  out.push({ label: gets[0]!.label, origin: 'null', req: { method: 'GET', target: gets[0]!.target, headers: { origin: 'null' } } });
  const writes = ctx.inventory.filter((e) => e.method.toUpperCase() !== 'GET').slice(0, 1).map((e) => ({ label: `${e.method.toUpperCase()} ${e.path}`, target: concretePath(e), method: e.method.toUpperCase() }));
  // A preflight is an OPTIONS request: it never runs the handler it asks about, so it is safe without --allow-writes.
  for (const p of [...gets.slice(0, 1).map((s) => ({ ...s, method: 'GET' })), ...writes]) {
    const headers = { origin: EVIL_ORIGIN, 'access-control-request-method': p.method, 'access-control-request-headers': 'authorization, content-type' };
    out.push({ label: p.label, origin: EVIL_ORIGIN, req: { method: 'OPTIONS', target: p.target, headers } });
  }
  return out;
}

/** Sends `Origin: https://evil.example` (and `null`) and judges what the target allows. */
export const corsReflection: ScanCheck = {
  id: 'cors',
  title: 'Testing CORS policy...',
  async run(ctx) {
    const seen: Array<{ label: string; verdict: CorsVerdict; evidence: Evidence }> = [];
    await untilBudgetRunsOut(ctx, 'cors', async () => {
      for (const p of corsProbes(ctx)) {
        const res = await ctx.probe.send(p.req);
        const verdict = judgeCors(p.origin, res.headers);
        if (!verdict) continue;
        // The CORS headers are the evidence, not the body.
        const body = Object.entries(res.headers).filter(([k]) => k.startsWith('access-control-')).map(([k, v]) => `${k}: ${v}`).join('; ');
        seen.push({ label: p.label, verdict, evidence: ctx.probe.evidence(p.req, { ...res, body }, verdict.note) });
      }
    });
    return corsFindings(seen);
  },
};
