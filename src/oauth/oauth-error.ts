import { GatehouseError } from '../core/errors.ts';
import type { ReasonCode } from '../core/reasons.ts';

/** RFC 6749 §5.2, RFC 8707 §2, RFC 7009 §2.2.1, RFC 8693 error codes. */
export type OAuthErrorCode =
  | 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type'
  | 'invalid_scope' | 'invalid_target' | 'unsupported_response_type' | 'unsupported_token_type' | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400, invalid_client: 401, invalid_grant: 400, unauthorized_client: 400, unsupported_grant_type: 400,
  invalid_scope: 400, invalid_target: 400, unsupported_response_type: 400, unsupported_token_type: 400, temporarily_unavailable: 503,
};

/**
 * An error on an OAuth endpoint, sent as `{ error, error_description }` (RFC 6749 §5.2) instead of
 * a problem document. `description` is shown to the client: it never carries secrets or internals.
 */
export class OAuthError extends GatehouseError {
  readonly error: OAuthErrorCode;
  /** The audit reason when the error code alone would mislabel it (a lockout is not a failed login). */
  readonly reason: ReasonCode | undefined;
  constructor(error: OAuthErrorCode, description: string, opts: { status?: number; headers?: Record<string, string>; cause?: unknown; reason?: ReasonCode } = {}) {
    super(error, opts.status ?? STATUS[error], description, { expose: true, ...(opts.headers ? { headers: opts.headers } : {}), ...(opts.cause === undefined ? {} : { cause: opts.cause }) });
    this.name = 'OAuthError';
    this.error = error;
    this.reason = opts.reason;
  }
}

export const invalidRequest = (d: string): OAuthError => new OAuthError('invalid_request', d);
export const invalidGrant = (d: string): OAuthError => new OAuthError('invalid_grant', d);
export const invalidScope = (d: string): OAuthError => new OAuthError('invalid_scope', d);
export const invalidTarget = (d: string): OAuthError => new OAuthError('invalid_target', d);
