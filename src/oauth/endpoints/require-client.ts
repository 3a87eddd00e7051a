import type { RequestContext } from '../../gateway/context.ts';
import type { RateLimiter } from '../../limits/rate-limiter.ts';
import { authenticateClient, invalidClient, type AuthenticatedClient, type ClientAuthMethodModule } from '../client-auth/client-auth.ts';
import { readForm, type FormParams } from '../form-body.ts';
import { invalidRequest, OAuthError } from '../oauth-error.ts';
import type { AccessTokenVerifier } from '../access-token-verifier.ts';

type Limiter = Pick<RateLimiter, 'lockoutStatus' | 'recordAuthFailure'>;

/** POST only, the address not locked out, then the strict form. */
export async function readPostForm(ctx: RequestContext, limiter: Limiter): Promise<FormParams> {
  if (ctx.method !== 'POST') throw new OAuthError('invalid_request', 'use POST', { status: 405, headers: { allow: 'POST' } });
  const lock = await limiter.lockoutStatus(ctx.clientAddress);
  if (lock.lockedOut) throw new OAuthError('invalid_client', 'too many failed client authentications from this address', { status: 429, headers: { 'retry-after': String(lock.retryAfterSeconds) } });
  return readForm(ctx.req);
}

/**
 * Client authentication where it is mandatory (introspection, revocation). A failure counts toward
 * the address lockout, like a bad API key; success becomes the audit record's principal.
 */
export async function requireClient(ctx: RequestContext, limiter: Limiter, methods: readonly ClientAuthMethodModule[], form: FormParams, required = true): Promise<AuthenticatedClient | undefined> {
  let client: AuthenticatedClient | undefined;
  try {
    client = await authenticateClient(methods, ctx.req, form);
    if (!client && required) throw invalidClient();
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'invalid_client') await limiter.recordAuthFailure(ctx.clientAddress);
    throw err;
  }
  if (client) ctx.principal = { agent: client.agent, credentialId: client.credentialId, credentialType: 'oauth_client', scopes: client.agent.scopes, delegation: undefined };
  return client;
}

/** What introspection and revocation share: client methods, the verifier, the lockout limiter. */
export interface ClientEndpointDeps {
  methods: readonly ClientAuthMethodModule[];
  tokens: AccessTokenVerifier;
  limiter: Limiter;
}

/** The `token` parameter of a request from an authenticated client (RFC 7662 §2.1, RFC 7009 §2.1). */
export async function clientTokenRequest(ctx: RequestContext, d: ClientEndpointDeps): Promise<{ form: FormParams; token: string }> {
  const form = await readPostForm(ctx, d.limiter);
  await requireClient(ctx, d.limiter, d.methods, form);
  const token = form.get('token');
  if (token === undefined) throw invalidRequest('token is required');
  return { form, token };
}
