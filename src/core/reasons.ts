/**
 * The closed set of reason codes a decision can carry. Audit records store them verbatim and
 * `gatehouse policy explain` prints them. Cedar policy ids are added as `policy:<id>`.
 */
export const REASONS = [
  // request shape (canonicalize / sanitize)
  'path_invalid', 'path_absolute_form', 'path_encoded_separator', 'path_dot_segment_escape', 'path_nul', 'path_bad_encoding',
  'headers_too_large', 'body_too_large', 'bad_request', 'method_override_rejected', 'no_route',
  // authentication
  'public_route', 'credential_missing', 'credential_malformed', 'credential_in_query', 'credential_ambiguous',
  'credential_unknown', 'credential_expired', 'credential_revoked', 'agent_suspended', 'agent_revoked', 'authenticated',
  'address_locked_out',
  // JWT access tokens (gateway and token endpoint)
  'token_malformed', 'token_invalid', 'token_expired', 'token_wrong_audience', 'token_revoked', 'credential_not_accepted',
  // the token service (OAuth endpoints)
  'oauth_request_invalid', 'client_auth_failed', 'grant_invalid', 'scope_invalid', 'target_invalid', 'grant_unsupported',
  'token_issued', 'token_exchanged', 'token_introspected', 'token_revocation',
  // authorization
  'policy_permit', 'policy_forbid', 'default_deny', 'policy_error',
  // limits / forwarding / audit
  'rate_limited', 'upstream_error', 'upstream_timeout', 'client_aborted', 'forwarded', 'audit_unavailable',
  // failures of Gatehouse's own dependencies (store, Redis) or bugs: the request is refused
  'dependency_unavailable', 'internal_error',
] as const;

export type ReasonCode = (typeof REASONS)[number] | `policy:${string}`;

export type Decision = 'allow' | 'deny' | 'error';
