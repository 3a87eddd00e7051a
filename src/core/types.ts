import type { Decision, ReasonCode } from './reasons.ts';

export type AgentStatus = 'active' | 'suspended' | 'revoked';

/** A machine identity. Humans (admins) are never agents. Timestamps are epoch milliseconds. */
export interface Agent {
  id: string; // agt_…
  name: string; // unique, [a-z0-9][a-z0-9-_.]{0,62}
  spiffeId: string; // spiffe://<trust-domain>/agent/<name>
  owner: string;
  description: string;
  labels: string[];
  scopes: string[];
  status: AgentStatus;
  /** The token-endpoint client authentication methods this agent may use; no others are accepted. */
  authMethods: ClientAuthMethod[];
  createdAt: number;
  updatedAt: number;
}

/** A stored API key: never the plaintext, only the keyed hash. */
export interface ApiKeyRecord {
  id: string; // key_…
  agentId: string;
  /** First characters of the key (prefix + a few chars) so an operator can recognise it; not enough to use it. */
  hint: string;
  /** HMAC-SHA-256(serverSecret, key) as lowercase hex. */
  hash: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** When this key was replaced by rotation, the id of its successor. */
  replacedBy: string | null;
}

/** The fields of an audit record the caller supplies; the store assigns seq and the hash chain. */
export interface AuditEntry {
  time: number;
  kind: 'request' | 'admin' | 'security';
  requestId: string;
  agentId: string | null;
  agentName: string | null;
  credentialId: string | null;
  clientAddress: string | null;
  method: string | null;
  path: string | null;
  routeId: string | null;
  decision: Decision;
  reasons: ReasonCode[];
  upstreamStatus: number | null;
  latencyMs: number | null;
  /** Admin changes: what was done (e.g. `agent.create`) and by whom. Free-form, never secrets. */
  action: string | null;
  actor: string | null;
  details: Record<string, unknown> | null;
}

/** A stored audit record: the entry plus its place in the hash chain. */
export interface AuditRecord extends AuditEntry {
  seq: number; // 1, 2, 3 … contiguous
  prevHash: string; // hash of record seq-1, or GENESIS_HASH
  hash: string; // sha256 over prevHash + canonical body
}

/** How an agent authenticates to the token endpoint (RFC 8414 `token_endpoint_auth_methods_supported`). */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** A client secret for the token endpoint: like an API key, only its keyed hash is stored. */
export interface ClientSecretRecord {
  id: string; // cs_…
  agentId: string;
  hint: string;
  /** HMAC-SHA-256(serverSecret, secret) as lowercase hex. */
  hash: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  replacedBy: string | null;
}

/** Signature algorithms accepted for agent-registered keys and trusted issuers: never `none`, never HS*. */
export const ASYMMETRIC_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type AsymmetricAlg = (typeof ASYMMETRIC_ALGS)[number];

/** A public key an agent registered for `private_key_jwt`; the algorithm is pinned per key. */
export interface AgentKeyRecord {
  id: string; // akey_…
  agentId: string;
  /** Unique per agent; the assertion's `kid` header selects it. */
  kid: string;
  alg: AsymmetricAlg;
  /** The public JWK only (validated at registration: no private members). */
  jwk: Record<string, unknown>;
  /** RFC 7638 thumbprint (SHA-256, base64url). */
  thumbprint: string;
  createdAt: number;
  revokedAt: number | null;
}

export type SigningAlg = 'ES256' | 'EdDSA';

/**
 * One of Gatehouse's own token-signing keys. Lifecycle: `next` (published in the JWKS, not yet
 * signing) → `active` (signs; exactly one) → `retired` (published until `expiresAt`, then dropped).
 */
export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlg;
  publicJwk: Record<string, unknown>;
  /** The private JWK, AES-256-GCM encrypted under the master key (see oauth/key-encryption.ts). */
  privateEnc: string;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  /** When a retired key leaves the JWKS (its last token's exp + skew); null while active or next. */
  expiresAt: number | null;
}

/** A revoked access token, kept until it would have expired anyway. */
export interface RevokedTokenRecord {
  jti: string;
  agentId: string | null;
  expiresAt: number;
  revokedAt: number;
}

/** One claim-mapping rule: every listed claim must equal the value (a trailing `*` matches a prefix). */
export interface ClaimMappingRule {
  claims: Record<string, string>;
  agent: string; // agent name
}

/** An external issuer whose tokens Gatehouse accepts for jwt-bearer federation or as token-exchange subjects. */
export interface TrustedIssuerRecord {
  name: string;
  issuer: string;
  /** Where its keys come from: a URL (fetched with SSRF guards) or a static JWKS. */
  jwksUrl: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  /** The `aud` its assertions must carry (default: Gatehouse's issuer). */
  audience: string | null;
  algorithms: AsymmetricAlg[];
  /** jwt-bearer: assertion → agent. */
  rules: ClaimMappingRule[];
  /** Token exchange: may this issuer's tokens be subject tokens (users delegating to agents)? */
  subjectTokens: boolean;
  /** Upper bound on the scopes a subject from this issuer can delegate. */
  subjectScopes: string[];
  /** Allow JWKS URLs on private/loopback addresses (tests, in-cluster issuers). */
  allowPrivateNetwork: boolean;
  createdAt: number;
  updatedAt: number;
}
