import type { ReasonCode } from '../../core/reasons.ts';
import { acceptedCredentials } from '../../config/schema.ts';
import { actorsOf } from '../../oauth/delegation.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { countAuthFailure } from '../../limits/auth-failures.ts';
import { Rejection, type RequestContext } from '../context.ts';

/** A JWT's compact form always starts with a base64url JSON object: `eyJ`. API keys start `gth_`. */
const looksLikeJwt = (s: string): boolean => s.startsWith('eyJ') && s.includes('.');

/**
 * The one place that decides identity. `public` routes skip it explicitly; every other route
 * needs exactly one well-formed credential of a kind the route accepts (API key and/or JWT).
 */
export function authenticate(deps: GatewayDeps) {
  return async function authenticateStage(ctx: RequestContext): Promise<void> {
    const route = ctx.route!;
    if (route.auth === 'public') {
      ctx.reasons.push('public_route'); // limited per client address by the rate-limit stage
      return;
    }
    const lock = await deps.limiter.lockoutStatus(ctx.clientAddress);
    if (lock.lockedOut) {
      throw new Rejection(429, 'address_locked_out', 'too many failed authentication attempts', { reasons: ['address_locked_out'], headers: { 'retry-after': String(lock.retryAfterSeconds) } });
    }
    const presented = extractCredential(ctx);
    if (typeof presented !== 'string') return fail(deps, ctx, presented.reason);
    const accepts = acceptedCredentials(route);
    if (looksLikeJwt(presented)) {
      if (!accepts.includes('jwt') || !deps.tokens) return fail(deps, ctx, 'credential_not_accepted');
      const v = await deps.tokens.verify(presented, route.resource);
      if (!v.ok) return fail(deps, ctx, v.reason, v.jti, v.agent, 'invalid_token', v.description);
      const c = v.claims;
      const actors = actorsOf(c.act);
      ctx.principal = {
        agent: v.agent, credentialId: c.jti, credentialType: 'jwt', scopes: c.scope === '' ? [] : c.scope.split(' '),
        delegation: actors.length === 0 ? undefined : { subject: c.sub, subjectIssuer: c.sub_iss, act: c.act, depth: actors.length },
      };
      ctx.reasons.push('authenticated');
      return;
    }
    if (!accepts.includes('apiKey')) return fail(deps, ctx, 'credential_not_accepted');
    const result = await deps.keys.authenticate(presented);
    if (!result.ok) return fail(deps, ctx, result.reason, result.keyId, result.agent);
    ctx.principal = { agent: result.agent, credentialId: result.key.id, credentialType: 'api_key', scopes: result.key.scopes, delegation: undefined };
    ctx.reasons.push('authenticated');
  };
}

/** Exactly one credential, from `Authorization: Bearer` or `X-API-Key`, byte-exact (no trimming). */
function extractCredential(ctx: RequestContext): string | { reason: ReasonCode } {
  const raw = ctx.req.rawHeaders;
  const found: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'authorization') {
      const value = raw[i + 1]!;
      if (!value.startsWith('Bearer ')) return { reason: 'credential_malformed' };
      found.push(value.slice(7));
    } else if (name === 'x-api-key') {
      found.push(raw[i + 1]!);
    }
  }
  if (found.length === 0) return { reason: 'credential_missing' };
  if (found.length > 1) return { reason: 'credential_ambiguous' };
  return found[0]!;
}

/** RFC 6750 §3: no error attribute when no credential was sent; invalid_request / invalid_token otherwise. */
function challenge(reason: ReasonCode, error: string, description: string | undefined): string {
  if (reason === 'credential_missing') return 'Bearer realm="gatehouse"';
  const desc = description === undefined ? '' : `, error_description="${description.replace(/["\\]/g, '')}"`;
  return `Bearer realm="gatehouse", error="${error}"${desc}`;
}

async function fail(deps: GatewayDeps, ctx: RequestContext, reason: ReasonCode, credentialId?: string, agent?: { id: string; name: string }, error?: string, description?: string): Promise<never> {
  // Recorded so the audit trail shows which known credential or agent was refused.
  ctx.attempted = { credentialId, agent };
  const lock = await countAuthFailure(deps.limiter, deps.metrics, ctx.clientAddress, reason);
  const reasons: ReasonCode[] = lock.lockedOut ? [reason, 'address_locked_out'] : [reason];
  const err = error ?? (reason === 'credential_malformed' || reason === 'credential_ambiguous' ? 'invalid_request' : 'invalid_token');
  throw new Rejection(401, reason, 'authentication required', { reasons, headers: { 'www-authenticate': challenge(reason, err, description) } });
}
