import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../../gateway/context.ts';
import { CLIENT_AUTH_METHODS, ASYMMETRIC_ALGS } from '../../core/types.ts';
import { sendJson } from './oauth-response.ts';

/** The endpoint URLs under an issuer (RFC 8414 §3: the issuer's path is kept). */
export function endpointUrls(issuer: string): { token: string; jwks: string; introspection: string; revocation: string; authorization: string } {
  const base = issuer.replace(/\/+$/, '');
  return { token: `${base}/oauth/token`, jwks: `${base}/oauth/jwks`, introspection: `${base}/oauth/introspect`, revocation: `${base}/oauth/revoke`, authorization: `${base}/oauth/authorize` };
}

/** RFC 8414 authorization server metadata. */
export function metadataDocument(issuer: string, grantTypes: readonly string[], signingAlg: string): Record<string, unknown> {
  const u = endpointUrls(issuer);
  return {
    issuer,
    token_endpoint: u.token,
    jwks_uri: u.jwks,
    introspection_endpoint: u.introspection,
    revocation_endpoint: u.revocation,
    grant_types_supported: grantTypes,
    // No authorization endpoint: agents have no browser. Any response_type is unsupported.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASYMMETRIC_ALGS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // Token exchange (RFC 8693) and RFC 9068 facts a client may look for.
    access_token_signing_alg_values_supported: [signingAlg],
    token_types_supported: ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt'],
  };
}

/** GET /.well-known/oauth-authorization-server[/issuer-path]: public, cacheable briefly. */
export function metadataEndpoint(doc: () => Record<string, unknown>) {
  return async (ctx: RequestContext, res: ServerResponse): Promise<void> => {
    ctx.reasons.push('public_route');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return sendJson(ctx, res, 405, { error: 'invalid_request', error_description: 'use GET' }, { allow: 'GET, HEAD' });
    sendJson(ctx, res, 200, doc(), { 'cache-control': 'public, max-age=300' });
  };
}

/** GET /oauth/jwks: every published signing key (next, active, retired within grace). */
export function jwksEndpoint(jwks: () => unknown) {
  return async (ctx: RequestContext, res: ServerResponse): Promise<void> => {
    ctx.reasons.push('public_route');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return sendJson(ctx, res, 405, { error: 'invalid_request', error_description: 'use GET' }, { allow: 'GET, HEAD' });
    // Short max-age: the next key is published a whole rotation period before it signs.
    sendJson(ctx, res, 200, jwks(), { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
  };
}

/** /oauth/authorize: agents have no browser, so no response_type is supported (RFC 6749 §4.1.2.1). */
export function authorizeEndpoint() {
  return async (ctx: RequestContext, res: ServerResponse): Promise<void> => {
    ctx.decision = 'deny';
    ctx.reasons.push('grant_unsupported');
    sendJson(ctx, res, 400, { error: 'unsupported_response_type', error_description: 'this authorization server issues tokens only at the token endpoint' });
  };
}
