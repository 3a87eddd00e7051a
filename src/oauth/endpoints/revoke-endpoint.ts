import type { ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import type { RequestContext } from '../../gateway/context.ts';
import type { Store } from '../../store/store.ts';
import { clientTokenRequest, type ClientEndpointDeps } from './require-client.ts';
import { OAuthError } from '../oauth-error.ts';
import { reasonFor, sendJson, sendOAuthError } from './oauth-response.ts';

export interface RevokeDeps extends ClientEndpointDeps {
  store: Store;
  clock: Clock;
}

/**
 * POST /oauth/revoke (RFC 7009). A client may revoke tokens issued to it (its client_id) or on
 * its behalf (its SPIFFE id as sub). Unknown or invalid tokens get 200, as the RFC requires; a
 * token of another client is refused. The revocation is stored, so every instance refuses the
 * token from its next request on.
 */
export function revokeEndpoint(d: RevokeDeps) {
  return async (ctx: RequestContext, res: ServerResponse): Promise<void> => {
    try {
      const { token } = await clientTokenRequest(ctx, d);
      const v = await d.tokens.verify(token, undefined);
      ctx.reasons.push('token_revocation');
      if (!v.ok) return sendJson(ctx, res, 200, {});
      const c = v.claims;
      const client = ctx.principal!.agent;
      if (c.client_id !== client.name && c.sub !== client.spiffeId) throw new OAuthError('unauthorized_client', 'this token was not issued to this client');
      await d.store.revokeToken({ jti: c.jti, agentId: v.agent.id, expiresAt: c.exp * 1000, revokedAt: d.clock.now() });
      d.tokens.forget(token);
      ctx.details = { revokedJti: c.jti };
      sendJson(ctx, res, 200, {});
    } catch (err) {
      sendOAuthError(ctx, res, err, reasonFor(err));
    }
  };
}
