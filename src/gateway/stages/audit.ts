import type { GatewayDeps } from '../gateway-deps.ts';
import type { RequestContext } from '../context.ts';

/** The last step for every request: one audit record (queued, written in batches) and metrics. */
export function writeAudit(deps: GatewayDeps, ctx: RequestContext): void {
  const latencyMs = Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
  const p = ctx.principal;
  const attempted = ctx.attempted;
  deps.audit.enqueue({
    time: ctx.receivedAt,
    kind: 'request',
    requestId: ctx.requestId,
    agentId: p?.agent.id ?? attempted?.agent?.id ?? null,
    agentName: p?.agent.name ?? attempted?.agent?.name ?? null,
    credentialId: p?.credentialId ?? attempted?.credentialId ?? null,
    clientAddress: ctx.clientAddress,
    method: ctx.method,
    path: ctx.path ?? null,
    routeId: ctx.route?.id ?? null,
    decision: ctx.decision,
    reasons: ctx.reasons,
    upstreamStatus: ctx.upstreamStatus ?? null,
    latencyMs: Math.round(latencyMs * 1000) / 1000,
    action: null,
    actor: null,
    // Never the query string (it may carry a leaked credential): only the raw path of an unparseable target.
    details: ctx.path === undefined ? { rawPath: (ctx.req.url ?? '').split('?')[0]!.slice(0, 512) } : (ctx.details ?? (p?.delegation ? { subject: p.delegation.subject, act: p.delegation.act, depth: p.delegation.depth } : null)),
  });
  deps.metrics.observeRequest(ctx.decision, ctx.route?.id ?? '-', p?.agent.name ?? '-', latencyMs / 1000);
}
