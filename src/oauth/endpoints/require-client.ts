import type { RequestContext } from '../../gateway/context.ts';
import type { RateLimiter } from '../../limits/rate-limiter.ts';
import { authenticateClient, invalidClient, type AuthenticatedClient, type ClientAuthMethodModule } from '../client-auth/client-auth.ts';
import { readForm, type FormParams } from '../form-body.ts';
import { invalidRequest, OAuthError } from '../oauth-error.ts';
import type { AccessTokenVerifier } from '../access-token-verifier.ts';
import type { Metrics } from '../../obs/metrics.ts';
import { countAuthFailure } from '../../limits/auth-failures.ts';

/**
 * Brute-force defence shared with the gateway's API-key check: failed client authentications
 * count toward the per-address lockout (rateLimit.authFailures) and the auth-failure metric.
 */
export class ClientAuthGuard {
  readonly #limiter: Pick<RateLimiter, 'lockoutStatus' | 'recordAuthFailure'>;
  readonly #metrics: Pick<Metrics, 'authFailures'> | undefined;

  constructor(limiter: Pick<RateLimiter, 'lockoutStatus' | 'recordAuthFailure'>, metrics?: Pick<Metrics, 'authFailures'>) {
    this.#limiter = limiter;
    this.#metrics = metrics;
  }

  /** A locked-out address is refused before any credential is looked at (audited as address_locked_out). */
  async refuseIfLockedOut(ctx: RequestContext): Promise<void> {
    const lock = await this.#limiter.lockoutStatus(ctx.clientAddress);
    if (lock.lockedOut) {
      throw new OAuthError('invalid_client', 'too many failed client authentications from this address', { status: 429, headers: { 'retry-after': String(lock.retryAfterSeconds) }, reason: 'address_locked_out' });
    }
  }

  /** Counts an invalid_client (the lockout refusal itself excepted); other errors pass through. Always rethrows. */
  async failed(ctx: RequestContext, err: unknown): Promise<never> {
    if (err instanceof OAuthError && err.error === 'invalid_client' && err.reason !== 'address_locked_out') {
      await countAuthFailure(this.#limiter, this.#metrics, ctx.clientAddress, err.reason ?? 'client_auth_failed');
    }
    throw err;
  }
}

/** POST only, the address not locked out, then the strict form. */
export async function readPostForm(ctx: RequestContext, guard: ClientAuthGuard): Promise<FormParams> {
  if (ctx.method !== 'POST') throw new OAuthError('invalid_request', 'use POST', { status: 405, headers: { allow: 'POST' } });
  await guard.refuseIfLockedOut(ctx);
  return readForm(ctx.req);
}

/**
 * Client authentication where it is mandatory (introspection, revocation). A failure counts toward
 * the address lockout, like a bad API key; success becomes the audit record's principal.
 */
export async function requireClient(ctx: RequestContext, guard: ClientAuthGuard, methods: readonly ClientAuthMethodModule[], form: FormParams, required = true): Promise<AuthenticatedClient | undefined> {
  let client: AuthenticatedClient | undefined;
  try {
    client = await authenticateClient(methods, ctx.req, form);
    // No client credentials at all: refused, but audited (and counted) as missing, not as a wrong guess.
    if (!client && required) throw invalidClient(false, 'credential_missing');
  } catch (err) {
    return guard.failed(ctx, err);
  }
  if (client) ctx.principal = { agent: client.agent, credentialId: client.credentialId, credentialType: 'oauth_client', scopes: client.agent.scopes, delegation: undefined };
  return client;
}

/** What introspection and revocation share: client methods, the verifier, the lockout limiter. */
export interface ClientEndpointDeps {
  methods: readonly ClientAuthMethodModule[];
  tokens: AccessTokenVerifier;
  guard: ClientAuthGuard;
}

/** The `token` parameter of a request from an authenticated client (RFC 7662 §2.1, RFC 7009 §2.1). */
export async function clientTokenRequest(ctx: RequestContext, d: ClientEndpointDeps): Promise<{ form: FormParams; token: string }> {
  const form = await readPostForm(ctx, d.guard);
  await requireClient(ctx, d.guard, d.methods, form);
  const token = form.get('token');
  if (token === undefined) throw invalidRequest('token is required');
  return { form, token };
}
