import type { Evidence, Finding, ScanCheck } from '../types.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { getSamples } from './endpoint-sample.ts';
import { findSecrets, type SecretHit } from './secret-patterns.ts';

/** At most this many GETs: enough for a documented agent platform (~20 endpoints), bounded for big ones. */
const MAX_FETCHES = 40;

const REMEDIATION =
  'Treat every value shown as compromised and rotate it; then stop returning credentials (drop the fields or the endpoint). ' +
  'Put the endpoint behind Gatehouse (routes[].auth: strict, the default) so only authenticated agents reach it, and narrow it with a ' +
  'policy rule (policies.rules[].paths) to the agents that need it. Gatehouse itself stores API keys and client secrets only as keyed ' +
  'hashes and never shows them again after creation.';

/** `kind: prefix…` per distinct value shape; one repeated per row (a password_hash column) is listed once, with a count. */
export function describeHits(hits: readonly SecretHit[]): string {
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(`${h.kind}: ${h.redacted}`, (counts.get(`${h.kind}: ${h.redacted}`) ?? 0) + 1);
  return [...counts].map(([shown, n]) => (n > 1 ? `${shown} (×${n})` : shown)).join('; ');
}

/** One finding per response that carries secrets: critical with a private key or cloud credentials, else high. */
export function secretsFinding(label: string, evidence: Evidence, hits: readonly SecretHit[]): Finding {
  return {
    rule: 'secrets-in-responses',
    severity: hits.some((h) => h.severity === 'critical') ? 'critical' : 'high',
    title: `Secrets in the response of ${label}: ${[...new Set(hits.map((h) => h.kind))].join(', ')}`,
    endpoint: label,
    evidence: [evidence],
    remediation: REMEDIATION,
  };
}

/** Fetches each GET endpoint of the inventory once and looks for credentials in the bodies. */
export const secretsInResponses: ScanCheck = {
  id: 'secrets-in-responses',
  title: 'Looking for secrets in responses...',
  async run(ctx) {
    const findings: Finding[] = [];
    await untilBudgetRunsOut(ctx, 'secrets-in-responses', async () => {
      for (const s of getSamples(ctx, MAX_FETCHES)) {
        const req = { method: 'GET', target: s.target };
        const res = await ctx.probe.send(req);
        const hits = res.status === 0 ? [] : findSecrets(res.body);
        if (hits.length === 0) continue;
        // The evidence shows the redacted list, never the body: each secret only as its prefix.
        const evidence = ctx.probe.evidence(req, { ...res, body: describeHits(hits) }, `${hits.length} secret value(s) in a ${res.status} response`);
        findings.push(secretsFinding(s.label, evidence, hits));
      }
    });
    return findings;
  },
};
