import type { BucketConfig } from '../../config/schema.ts';
import { rateLimitHeaders, type RateLimitResult } from '../../limits/rate-limit-headers.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { Rejection, type RequestContext } from '../context.ts';

/**
 * One bucket per request: per agent and route for authenticated callers (agent override, then
 * route, then default), per client address on public routes. After authorize: a forbidden request
 * does not spend the agent's budget, and the key uses the canonical route, not raw text.
 */
export function rateLimit(deps: GatewayDeps) {
  return function rateLimitStage(ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    const route = ctx.route!;
    const limits = ctx.state.config.rateLimit;
    let key: string;
    let bucket: BucketConfig;
    if (p) {
      key = `agent:${p.agent.id}:${route.id}`;
      // hasOwn: an agent may be called `constructor`, which a plain object would otherwise inherit.
      bucket = (Object.hasOwn(limits.agents, p.agent.name) ? limits.agents[p.agent.name] : undefined) ?? route.rateLimit ?? limits.perAgent;
    } else if (route.rateLimit) {
      key = `addr:${ctx.clientAddress}:${route.id}`;
      bucket = route.rateLimit;
    } else {
      key = `addr:${ctx.clientAddress}`;
      bucket = limits.perAddress;
    }
    return deps.limiter.consume(key, bucket).then((r: RateLimitResult) => {
      // Sent on every answer (reply() merges them into a 429 too), so callers can pace themselves.
      Object.assign(ctx.responseHeaders, rateLimitHeaders(r));
      if (!r.allowed) {
        deps.metrics.rateLimited.inc({ scope: p ? 'agent' : 'address' });
        throw new Rejection(429, 'rate_limited', 'rate limit exceeded', { reasons: ['rate_limited'] });
      }
    });
  };
}
