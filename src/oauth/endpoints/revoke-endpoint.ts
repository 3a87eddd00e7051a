import type { ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.ts';
import type { RequestContext } from '../../gateway/context.ts';
import type { Store } from '../../store/store.ts';
import type { RateLimiter } from '../../limits/rate-limiter.ts';
import type { AccessTokenVerifier } from '../access-token-verifier.ts';
import type { ClientAuthMethodModule } from '../client-auth/client-auth.ts';
import { readPostForm, requireClient } from './require-client.ts';
import { invalidRequest, OAuthError } from '../oauth-error.ts';
import { reasonFor, sendJson, sendOAuthError } from './oauth-response.ts';

export interface RevokeDeps {
  methods: readonly ClientAuthMethodModule[];
  tokens: AccessTokenVerifier;
  store: Store;
  clock: Clock;
  limiter: Pick<RateLimiter, 'lockoutStatus' | 'recordAuthFailure'>;
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
      const form = await readPostForm(ctx, d.limiter);
      await requireClient(ctx, d.limiter, d.methods, form);
      const token = form.get('token');
      if (token === undefined) throw invalidRequest('token is required');
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
