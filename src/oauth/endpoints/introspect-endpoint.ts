import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../../gateway/context.ts';
import { clientTokenRequest, type ClientEndpointDeps } from './require-client.ts';
import { reasonFor, sendJson, sendOAuthError } from './oauth-response.ts';

/**
 * POST /oauth/introspect (RFC 7662), for authenticated clients only. A token that is invalid,
 * expired, revoked, or whose agents are suspended is simply `{ "active": false }`.
 */
export function introspectEndpoint(d: ClientEndpointDeps) {
  return async (ctx: RequestContext, res: ServerResponse): Promise<void> => {
    try {
      // token_type_hint is only a hint (RFC 7662 §2.1): every token we issue is an access token.
      const { token } = await clientTokenRequest(ctx, d);
      const v = await d.tokens.verify(token, undefined);
      if (!v.ok) return answer(ctx, res, { active: false });
      const c = v.claims;
      answer(ctx, res, {
        active: true, token_type: 'Bearer', iss: c.iss, sub: c.sub, aud: c.aud, scope: c.scope, client_id: c.client_id,
        jti: c.jti, iat: c.iat, nbf: c.nbf, exp: c.exp, ...(c.act ? { act: c.act } : {}), ...(c.sub_iss ? { sub_iss: c.sub_iss } : {}),
      });
    } catch (err) {
      sendOAuthError(ctx, res, err, reasonFor(err));
    }
  };
}

function answer(ctx: RequestContext, res: ServerResponse, body: Record<string, unknown>): void {
  ctx.reasons.push('token_introspected');
  sendJson(ctx, res, 200, body);
}
