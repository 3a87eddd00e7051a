import type { GatewayDeps } from '../gateway-deps.ts';
import type { RequestContext } from '../context.ts';
import type { RouteConfig } from '../../config/schema.ts';

/** The assertion's audience per route: the upstream's origin, parsed once per (frozen) route config. */
const origins = new WeakMap<RouteConfig, string>();
function upstreamOrigin(route: RouteConfig): string {
  let origin = origins.get(route);
  if (origin === undefined) origins.set(route, (origin = new URL(route.upstream).origin));
  return origin;
}

/** Signs (or reuses) the identity assertion the upstream will receive; authenticated requests only. */
export function assertIdentity(deps: GatewayDeps) {
  return async function identityStage(ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    if (!p || !deps.identity || ctx.endpoint) return;
    ctx.identityAssertion = await deps.identity.assertionFor(p, upstreamOrigin(ctx.route!));
  };
}
