import type { GatewayDeps } from '../gateway-deps.ts';
import { actorsOf } from '../../oauth/delegation.ts';
import { Rejection, type RequestContext } from '../context.ts';

/** Default-deny Cedar decision on (agent, method, canonical path, route, request facts). */
export function authorize(deps: GatewayDeps) {
  return function authorizeStage(ctx: RequestContext): void {
    const p = ctx.principal;
    if (!p) return; // public route: explicitly unauthenticated, nothing to authorize against
    const d = ctx.state.policy.authorize({
      agent: { id: p.agent.id, name: p.agent.name, owner: p.agent.owner, labels: p.agent.labels, scopes: p.scopes },
      method: ctx.method,
      path: ctx.path!,
      routeId: ctx.route!.id,
      clientAddress: ctx.clientAddress,
      credentialType: p.credentialType,
      ...(p.delegation ? { delegation: { subject: p.delegation.subject, actors: actorsOf(p.delegation.act) } } : {}),
      now: deps.clock.now(),
    });
    ctx.reasons.push(...d.reasons);
    if (d.decision === 'allow') return;
    if (d.decision === 'error') {
      deps.logger.error({ requestId: ctx.requestId }, 'policy evaluation failed; request denied');
      throw new Rejection(503, 'policy_error', 'authorization is unavailable', { reasons: [...ctx.reasons], decision: 'error' });
    }
    throw new Rejection(403, 'forbidden', 'the policy does not allow this request', { reasons: [...ctx.reasons] });
  };
}
