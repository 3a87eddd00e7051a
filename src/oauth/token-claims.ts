import type { ActClaim } from './delegation.ts';

/** RFC 9068 access-token media type (`typ` header). */
export const ACCESS_TOKEN_TYP = 'at+jwt';
/** Gatehouse's identity assertion to upstreams: a distinct type, so it can never pass as an access token. */
export const IDENTITY_ASSERTION_TYP = 'gatehouse-identity+jwt';

/** The claims of a Gatehouse access token (RFC 9068 §2.2, RFC 8693 §4.1). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  scope: string;
  client_id: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  act?: ActClaim;
  /** Set when `sub` is a user from a trusted external issuer (a token-exchange subject), not an agent. */
  sub_iss?: string;
}

const SPIFFE_AGENT = /^spiffe:\/\/([a-z0-9.-]+)\/agent\/([a-z0-9][a-z0-9._-]{0,62})$/;

/** The agent name in `spiffe://<trustDomain>/agent/<name>`, or undefined when it is not one of ours. */
export function agentNameOf(spiffeId: string, trustDomain: string): string | undefined {
  const m = SPIFFE_AGENT.exec(spiffeId);
  return m && m[1] === trustDomain ? m[2] : undefined;
}
