import type { ServerResponse } from 'node:http';
import { GatehouseError } from '../../core/errors.ts';
import type { ReasonCode } from '../../core/reasons.ts';
import type { RequestContext } from '../../gateway/context.ts';
import { OAuthError } from '../oauth-error.ts';

/** JSON answer of an OAuth endpoint; `no-store` unless the caller says the document is cacheable. */
export function sendJson(ctx: RequestContext, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', 'x-content-type-options': 'nosniff', 'x-gatehouse-request-id': ctx.requestId,
    ...ctx.responseHeaders, ...headers, 'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * Answers a failed OAuth request in the RFC 6749 §5.2 shape and records the outcome for the audit
 * record. Anything that is not an OAuthError is rethrown: the pipeline turns it into a 503/500
 * that leaks nothing.
 */
export function sendOAuthError(ctx: RequestContext, res: ServerResponse, err: unknown, reason: ReasonCode): void {
  if (!(err instanceof OAuthError)) {
    if (err instanceof GatehouseError && err.status < 500 && err.code === 'outbound_refused') {
      return sendOAuthError(ctx, res, new OAuthError('invalid_grant', 'the issuer\'s keys cannot be fetched from that address'), reason);
    }
    throw err;
  }
  ctx.decision = 'deny';
  ctx.reasons.push(reason);
  sendJson(ctx, res, err.status, { error: err.error, error_description: err.message }, err.headers ?? {});
}

/** The one reason code an OAuth error maps to in the audit trail. */
export function reasonFor(err: unknown): ReasonCode {
  if (!(err instanceof OAuthError)) return 'oauth_request_invalid';
  if (err.reason !== undefined) return err.reason;
  switch (err.error) {
    case 'invalid_client': return 'client_auth_failed';
    case 'invalid_grant': return 'grant_invalid';
    case 'invalid_scope': return 'scope_invalid';
    case 'invalid_target': return 'target_invalid';
    case 'unsupported_grant_type': case 'unsupported_response_type': return 'grant_unsupported';
    default: return 'oauth_request_invalid';
  }
}
