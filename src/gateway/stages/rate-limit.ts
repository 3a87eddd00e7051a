import { rateLimitHeaders } from '../../limits/rate-limit-headers.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { Rejection, type RequestContext } from '../context.ts';

/**
 * Per-agent token bucket, keyed by agent and route, after authorization: a denied request
 * does not spend the agent's budget, and the key uses the canonical route, not raw text.
 */
export function rateLimit(deps: GatewayDeps) {
  return async function rateLimitStage(ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    if (!p) return; // public routes were limited per address in authenticate
    const route = ctx.route!;
    const limits = ctx.state.config.rateLimit;
    const bucket = limits.agents[p.agent.name] ?? route.rateLimit ?? limits.perAgent;
    const r = await deps.limiter.consume(`agent:${p.agent.id}:${route.id}`, bucket);
    Object.assign(ctx.responseHeaders, rateLimitHeaders(r));
    if (!r.allowed) {
      deps.metrics.rateLimited.inc({ scope: 'agent' });
      throw new Rejection(429, 'rate_limited', 'rate limit exceeded', { reasons: [...ctx.reasons, 'rate_limited'], headers: rateLimitHeaders(r) });
    }
  };
}
