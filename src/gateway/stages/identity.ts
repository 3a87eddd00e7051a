import type { GatewayDeps } from '../gateway-deps.ts';
import type { RequestContext } from '../context.ts';

/** Signs (or reuses) the identity assertion the upstream will receive; authenticated requests only. */
export function assertIdentity(deps: GatewayDeps) {
  return async function identityStage(ctx: RequestContext): Promise<void> {
    const p = ctx.principal;
    if (!p || !deps.identity || ctx.endpoint) return;
    ctx.identityAssertion = await deps.identity.assertionFor(p, new URL(ctx.route!.upstream).origin);
  };
}
