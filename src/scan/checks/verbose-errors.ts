import type { Endpoint, Evidence, Finding, ProbeRequest, ScanCheck, ScanContext } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { concretePath } from './endpoint-sample.ts';
import { detectErrorLeaks, leakSeverity, type ErrorLeak } from './error-signatures.ts';
import { redactSecrets } from './secret-patterns.ts';

/** A request meant to make the target fail, and the endpoint it concerns. */
export interface ErrorProbe {
  label: string;
  req: ProbeRequest;
}

// Harmless ways to make a handler throw: a non-id, an overlong id, a NUL, a broken %-escape, an
// array where a string was expected. Nothing here is a statement an interpreter would execute.
const BAD_IDS = ['gatehouse-scan%27%22', '9'.repeat(400), '%00', '%zz'];
const BAD_VALUES = (name: string): string[] => [`${name}=%27%22`, `${name}[]=1&${name}[]=2`, `${name}=%00`];
const PER_KIND = 4;

/**
 * The probes for an inventory: bad path parameters, bad query parameters, garbage ids under
 * collection paths, an unknown path, and — only with `allowWrites` — malformed JSON bodies.
 */
export function errorProbes(inventory: readonly Endpoint[], allowWrites: boolean): ErrorProbe[] {
  const out: ErrorProbe[] = [];
  const gets = inventory.filter((e) => e.method.toUpperCase() === 'GET');
  const label = (e: Endpoint): string => `${e.method.toUpperCase()} ${e.path}`;
  for (const e of gets.filter((g) => g.params.some((p) => p.in === 'path')).slice(0, PER_KIND)) {
    const name = e.params.find((p) => p.in === 'path')!.name;
    for (const bad of BAD_IDS) out.push({ label: label(e), req: { method: 'GET', target: concretePath(e, { [name]: bad }) } });
  }
  for (const e of gets.filter((g) => g.params.some((p) => p.in === 'query')).slice(0, PER_KIND)) {
    const name = encodeURIComponent(e.params.find((p) => p.in === 'query')!.name);
    for (const q of BAD_VALUES(name)) out.push({ label: label(e), req: { method: 'GET', target: `${concretePath(e)}?${q}` } });
  }
  // Without documented parameters, `<collection>/<garbage>` usually reaches the item route.
  for (const e of gets.filter((g) => g.params.length === 0 && !g.path.includes('{') && g.path !== '/').slice(0, 3)) {
    out.push({ label: `GET ${e.path.replace(/\/$/, '')}/{id}`, req: { method: 'GET', target: `${e.path.replace(/\/$/, '')}/${BAD_IDS[0]}` } });
  }
  out.push({ label: 'GET (unknown path)', req: { method: 'GET', target: '/gatehouse-scan-not-found/%00' } });
  if (allowWrites) {
    for (const e of inventory.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method.toUpperCase())).slice(0, 3)) {
      // Broken JSON is refused by the parser before any handler can write.
      out.push({ label: label(e), req: { method: e.method.toUpperCase(), target: concretePath(e), headers: { 'content-type': 'application/json' }, body: '{"gatehouse-scan": ' } });
    }
  }
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(`${p.req.method} ${p.req.target}`) && seen.add(`${p.req.method} ${p.req.target}`));
}

/** One observation: what a probe made the target leak. */
export interface LeakObservation {
  label: string;
  leaks: ErrorLeak[];
  evidence: Evidence;
}

const REMEDIATION =
  'Run the upstream in production mode so errors carry no internals (NODE_ENV=production, Django DEBUG=False, no Werkzeug debugger, ' +
  'ASP.NET customErrors on) and keep details in server-side logs; SQL error text also shows where queries are built by string concatenation — ' +
  'use parameterised queries. Gatehouse answers its own errors as RFC 9457 application/problem+json without stacks or internals, but it ' +
  'forwards upstream responses unchanged: put the route behind it (routes[].auth: strict, the default) so only authenticated agents can ' +
  'provoke errors at all, and fix the leak at the source.';

/** All observations as one finding (severity of the worst), or none. */
export function verboseErrorsFinding(observations: readonly LeakObservation[]): Finding | undefined {
  const rank = { high: 0, medium: 1, low: 2 } as const;
  const sorted = observations.map((o) => ({ ...o, severity: leakSeverity(o.leaks) })).filter((o) => o.severity).sort((a, b) => rank[a.severity!] - rank[b.severity!]);
  const worst = sorted[0];
  if (!worst) return undefined;
  const kinds = [...new Set(sorted.flatMap((o) => o.leaks.map((l) => l.label)))];
  const endpoints = [...new Set(sorted.map((o) => o.label))];
  return {
    rule: 'verbose-errors',
    severity: worst.severity!,
    title: `Error responses leak ${kinds.join(', ')} (${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'})`,
    endpoint: worst.label,
    evidence: sorted.slice(0, 4).map((o) => o.evidence),
    remediation: REMEDIATION,
  };
}

async function observe(ctx: ScanContext, p: ErrorProbe): Promise<LeakObservation | undefined> {
  const res = await ctx.probe.send(p.req);
  const leaks = detectErrorLeaks(res.status, res.body);
  if (leaks.length === 0) return undefined;
  // The excerpt starts just before the first leak (a stack often follows a long message); the
  // prober still redacts it (our own rules first, for the prefix… form).
  const from = Math.max(0, Math.min(...leaks.map((l) => l.at)) - 40);
  const body = redactSecrets(res.body.slice(from, from + 600));
  return { label: p.label, leaks, evidence: ctx.probe.evidence(p.req, { ...res, body }, leaks.map((l) => l.label).join('; ')) };
}

/** Provokes errors harmlessly and reports stack traces, debug pages, SQL text, paths and secrets in them. */
export const verboseErrors: ScanCheck = {
  id: 'verbose-errors',
  title: 'Testing error handling...',
  async run(ctx) {
    const observations: LeakObservation[] = [];
    await untilBudgetRunsOut(ctx, 'verbose-errors', async () => {
      for (const p of errorProbes(ctx.inventory, ctx.options.allowWrites)) {
        const o = await observe(ctx, p);
        if (o) observations.push(o);
      }
    });
    const finding = verboseErrorsFinding(observations);
    return finding ? [finding] : [];
  },
};
