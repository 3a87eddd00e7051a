import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../../gateway/context.ts';
import type { ClientAuthMethodModule } from '../client-auth/client-auth.ts';
import { readPostForm, requireClient, type ClientAuthGuard } from './require-client.ts';
import type { Grant, GrantDeps } from '../grants/grant.ts';
import { invalidRequest, OAuthError } from '../oauth-error.ts';
import { reasonFor, sendJson, sendOAuthError } from './oauth-response.ts';

export interface TokenEndpointDeps {
  grants: ReadonlyMap<string, Grant>;
  methods: readonly ClientAuthMethodModule[];
  grantDeps: GrantDeps;
  guard: ClientAuthGuard;
}

/**
 * POST /oauth/token. The stages, in order: address lockout (brute force) → strict form → grant
 * lookup → client authentication → the grant's own checks → a signed token, `no-store`.
 * Failed client authentication counts toward the address lockout, like a bad API key.
 */
export async function tokenEndpoint(d: TokenEndpointDeps, ctx: RequestContext, res: ServerResponse): Promise<void> {
  try {
    const form = await readPostForm(ctx, d.guard);
    const type = form.get('grant_type');
    if (type === undefined) throw invalidRequest('grant_type is required');
    const grant = d.grants.get(type);
    if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant type is not supported');
    const client = await requireClient(ctx, d.guard, d.methods, form, grant.clientAuth === 'required');
    // A grant's own invalid_client (an actor that is not the authenticated client) counts as a failure too.
    const result = await grant.handle(form, client, d.grantDeps).catch((err: unknown) => d.guard.failed(ctx, err));
    ctx.reasons.push(type === 'urn:ietf:params:oauth:grant-type:token-exchange' ? 'token_exchanged' : 'token_issued');
    ctx.details = result.audit;
    sendJson(ctx, res, 200, result.response);
  } catch (err) {
    sendOAuthError(ctx, res, err, reasonFor(err));
  }
}
