import type { GatewayDeps } from '../gateway-deps.ts';
import { Rejection, type RequestContext } from '../context.ts';

/** Fail closed: if the audit sink is failing or its queue is full, nothing is forwarded. */
export function auditGate(deps: GatewayDeps) {
  return function auditGateStage(ctx: RequestContext): void {
    if (!deps.audit.accepting()) {
      throw new Rejection(503, 'audit_unavailable', 'the audit log is unavailable; requests are refused until it recovers', {
        reasons: [...ctx.reasons, 'audit_unavailable'], decision: 'error', headers: { 'retry-after': '1' },
      });
    }
  };
}
