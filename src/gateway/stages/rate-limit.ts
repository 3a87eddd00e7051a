import { rateLimitHeaders } from '../../limits/rate-limit-headers.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { Rejection, type RequestContext } from '../context.ts';

/**
 * One bucket per request: per agent and route for authenticated callers (agent override, then
 * route, then default), per client address on public routes. After authorize: a forbidden request
 * does not spend the agent's budget, and the key uses the canonical route, not raw text.
 */
export function rateLimit(deps: GatewayDeps) {
  return async function rateLimitStage(ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    const route = ctx.route!;
    const limits = ctx.state.config.rateLimit;
    const [key, bucket, scope] = p
      ? [`agent:${p.agent.id}:${route.id}`, limits.agents[p.agent.name] ?? route.rateLimit ?? limits.perAgent, 'agent']
      : route.rateLimit
        ? [`addr:${ctx.clientAddress}:${route.id}`, route.rateLimit, 'address']
        : [`addr:${ctx.clientAddress}`, limits.perAddress, 'address'];
    const r = await deps.limiter.consume(key, bucket);
    // Sent on every answer (reply() merges them into a 429 too), so callers can pace themselves.
    Object.assign(ctx.responseHeaders, rateLimitHeaders(r));
    if (!r.allowed) {
      deps.metrics.rateLimited.inc({ scope });
      throw new Rejection(429, 'rate_limited', 'rate limit exceeded', { reasons: ['rate_limited'] });
    }
  };
}
