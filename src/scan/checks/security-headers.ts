import type { Evidence, Finding, ProbeResponse, ScanCheck, ScanContext } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { getSamples, type Sample } from './endpoint-sample.ts';

type Rule = 'nosniff' | 'cache-control' | 'hsts' | 'csp' | 'frame-options' | 'version-disclosure';

/** A header problem on one response. */
export interface HeaderIssue {
  rule: Rule;
  severity: 'low' | 'info';
  detail: string;
}

const isHtml = (res: ProbeResponse): boolean => /text\/html|application\/xhtml/i.test(res.headers['content-type'] ?? '');
const VERSION = /\d+\.\d+/;

/**
 * The header problems of one response: `nosniff` on anything with a body; `Cache-Control:
 * no-store` on successful data (non-HTML) responses; HSTS on https; CSP and framing protection on
 * HTML pages; versions in `Server` / `X-Powered-By` (low with a version number, info without).
 */
export function headerIssues(res: ProbeResponse, https: boolean): HeaderIssue[] {
  const h = res.headers;
  const out: HeaderIssue[] = [];
  const ok = res.status >= 200 && res.status < 300;
  if (res.body.length > 0 && h['x-content-type-options']?.trim().toLowerCase() !== 'nosniff') out.push({ rule: 'nosniff', severity: 'low', detail: 'no X-Content-Type-Options: nosniff' });
  if (ok && res.body.length > 0 && !isHtml(res) && !/\bno-store\b/i.test(h['cache-control'] ?? '')) {
    out.push({ rule: 'cache-control', severity: 'low', detail: `Cache-Control: ${h['cache-control'] ?? '(absent)'} on a data response` });
  }
  if (https && !h['strict-transport-security']) out.push({ rule: 'hsts', severity: 'low', detail: 'no Strict-Transport-Security' });
  if (ok && isHtml(res)) {
    const csp = h['content-security-policy'];
    if (!csp) out.push({ rule: 'csp', severity: 'low', detail: 'HTML page without Content-Security-Policy' });
    if (!h['x-frame-options'] && !/frame-ancestors/i.test(csp ?? '')) out.push({ rule: 'frame-options', severity: 'low', detail: 'HTML page without X-Frame-Options or CSP frame-ancestors' });
  }
  for (const name of ['server', 'x-powered-by']) {
    const v = h[name];
    if (v && (name === 'x-powered-by' || VERSION.test(v))) out.push({ rule: 'version-disclosure', severity: VERSION.test(v) ? 'low' : 'info', detail: `${name}: ${v}` });
  }
  return out;
}

const TEXT: Record<Rule, { title: string; fix: string }> = {
  nosniff: { title: 'Responses lack X-Content-Type-Options: nosniff', fix: 'Send X-Content-Type-Options: nosniff on every response so browsers never sniff API data into HTML or script.' },
  'cache-control': { title: 'API data responses are cacheable (no Cache-Control: no-store)', fix: 'Send Cache-Control: no-store on responses that carry data, so shared caches and browsers keep no copy.' },
  hsts: { title: 'HTTPS responses lack Strict-Transport-Security', fix: 'Send Strict-Transport-Security: max-age=31536000 so clients never fall back to plain HTTP.' },
  csp: { title: 'HTML pages lack a Content-Security-Policy', fix: "Send a Content-Security-Policy (at least default-src 'self'; frame-ancestors 'none') on HTML pages such as the API docs." },
  'frame-options': { title: 'HTML pages can be framed (no X-Frame-Options / frame-ancestors)', fix: "Send X-Frame-Options: DENY or CSP frame-ancestors 'none' on HTML pages." },
  'version-disclosure': { title: 'Server software and version disclosed in response headers', fix: 'Remove X-Powered-By and the version from Server (e.g. app.disable("x-powered-by") in Express, server_tokens off in nginx).' },
};
const WHERE =
  ' Set it in the upstream (helmet for Express, middleware elsewhere) or at the TLS-terminating proxy: Gatehouse forwards upstream ' +
  'headers unchanged (its own error responses carry Cache-Control: no-store), so it cannot add them for the upstream.';

/** One finding per rule (not per endpoint), with up to three example responses. */
export function securityHeaderFindings(seen: ReadonlyArray<{ label: string; issue: HeaderIssue; evidence: Evidence }>): Finding[] {
  const byRule = new Map<Rule, typeof seen[number][]>();
  for (const s of seen) byRule.set(s.issue.rule, [...(byRule.get(s.issue.rule) ?? []), s]);
  return [...byRule.entries()].map(([rule, list]) => {
    const endpoints = [...new Set(list.map((s) => s.label))];
    return {
      rule: `security-headers/${rule}`,
      severity: list.some((s) => s.issue.severity === 'low') ? 'low' : 'info',
      title: `${TEXT[rule].title} (${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'})`,
      endpoint: endpoints[0]!,
      evidence: list.slice(0, 3).map((s) => s.evidence),
      remediation: TEXT[rule].fix + WHERE,
    };
  });
}

const DOC_PAGE = /docs|swagger|redoc|graphiql|playground/i;

/** Sample GETs plus, when none of them is an HTML doc page, the usual doc locations. */
function samples(ctx: ScanContext): Sample[] {
  const base = getSamples(ctx, 6);
  const docs = ctx.inventory.filter((e) => e.method.toUpperCase() === 'GET' && DOC_PAGE.test(e.path) && !e.path.includes('{'));
  const extra = docs.length ? docs.slice(0, 2).map((e) => e.path) : ['/docs', '/api/docs'];
  for (const path of extra) if (!base.some((s) => s.target === path)) base.push({ label: `GET ${path}`, target: path });
  return base;
}

/** Looks at the headers of a handful of responses and reports each missing protection once. */
export const securityHeaders: ScanCheck = {
  id: 'security-headers',
  title: 'Checking security headers...',
  async run(ctx) {
    const https = ctx.options.target.protocol === 'https:';
    const seen: Array<{ label: string; issue: HeaderIssue; evidence: Evidence }> = [];
    await untilBudgetRunsOut(ctx, 'security-headers', async () => {
      for (const s of samples(ctx)) {
        const req = { method: 'GET', target: s.target };
        const res = await ctx.probe.send(req);
        if (res.status === 0 || res.status === 404) continue; // nothing there: its headers say nothing about the API
        for (const issue of headerIssues(res, https)) seen.push({ label: s.label, issue, evidence: ctx.probe.evidence(req, { ...res, body: issue.detail }) });
      }
    });
    return securityHeaderFindings(seen);
  },
};
