import type { Endpoint, Finding, ProbeRequest, ScanContext, Severity } from '../types.ts';
import { fillPath, hasPathParams, isDataBearingPath, nonexistentValue } from './endpoint-targets.ts';
import { UNAUTHENTICATED_REMEDIATION } from './remediation-text.ts';

// Anonymous writes, sent only with --allow-writes and made harmless: every path id is a random
// value that names no record, bodies are `{}`, and PUT/PATCH/DELETE without an id in the path
// (which could replace or wipe a whole collection or the configuration) are never sent.

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The harmless anonymous request for a write endpoint, or undefined when none is safe to send. */
export function harmlessWrite(ep: Pick<Endpoint, 'method' | 'path' | 'params'>): ProbeRequest | undefined {
  if (!WRITES.has(ep.method)) return undefined;
  if (ep.method !== 'POST' && !hasPathParams(ep.path)) return undefined;
  const target = fillPath(ep, (p) => nonexistentValue(p));
  return ep.method === 'DELETE' ? { method: 'DELETE', target, anonymous: true } : { method: ep.method, target, json: {}, anonymous: true };
}

/**
 * What an anonymous write's status says. 2xx: accepted. A validation or server error: the request
 * reached the handler without credentials (a protected endpoint refuses with 401/403 first).
 * 404/405 and refusals say nothing against it.
 */
export function writeVerdict(status: number): 'accepted' | 'reached-handler' | undefined {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 400 || status === 409 || status === 415 || status === 422 || status >= 500) return 'reached-handler';
  return undefined;
}

/** Probes each documented write anonymously and appends findings to `out` as they are made. */
export async function probeAnonymousWrites(ctx: ScanContext, out: Finding[]): Promise<void> {
  for (const ep of ctx.inventory) {
    const req = harmlessWrite(ep);
    if (!req) continue;
    ctx.timeline.progress(`${req.method} ${req.target} without credentials`);
    const res = await ctx.probe.send(req);
    const verdict = writeVerdict(res.status);
    if (!verdict) continue;
    const label = `${ep.method} ${ep.path}`;
    const severity: Severity = verdict === 'reached-handler' ? 'medium' : isDataBearingPath(ep.path) ? 'critical' : 'high';
    out.push({
      rule: 'unauthenticated-write', severity, endpoint: label,
      title: verdict === 'accepted' ? `Unauthenticated write accepted by ${label}` : `${label} processes requests without credentials (answered ${res.status}, not 401/403)`,
      evidence: [ctx.probe.evidence(req, res, verdict === 'accepted' ? 'write accepted without credentials (harmless body, non-existent id)' : 'the handler ran without credentials')],
      remediation: UNAUTHENTICATED_REMEDIATION,
    });
  }
}
