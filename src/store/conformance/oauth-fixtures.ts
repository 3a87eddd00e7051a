import type { AgentKeyRecord, ClientSecretRecord, SigningKeyRecord, TrustedIssuerRecord } from '../../core/types.ts';
import { T0 } from './fixtures.ts';

// Records for the OAuth token service's tables. Only their shape matters to the store, so the
// keys and ciphertexts are plausible-looking constants, not real key material.

export function makeClientSecret(agentId: string, n: number, overrides: Partial<ClientSecretRecord> = {}): ClientSecretRecord {
  return {
    id: `cs_${n}`, agentId, hint: `ghcs_${n}…`, hash: n.toString(16).padStart(64, 'c'), createdAt: T0 + n,
    expiresAt: T0 + 86_400_000, revokedAt: null, replacedBy: null, ...overrides,
  };
}

export function makeAgentKey(agentId: string, n: number, overrides: Partial<AgentKeyRecord> = {}): AgentKeyRecord {
  return {
    id: `akey_${n}`, agentId, kid: `kid-${n}`, alg: 'ES256',
    jwk: { kty: 'EC', crv: 'P-256', x: `x${n}-ünï`, y: `y${n}`, kid: `kid-${n}` },
    thumbprint: `thumb-${n}`, createdAt: T0 + n, revokedAt: null, ...overrides,
  };
}

/** A signing key in the `next` state (published, not yet signing) unless overridden. */
export function makeSigningKey(kid: string, n: number, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid, alg: n % 2 === 0 ? 'ES256' : 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `pub-${kid}`, kid },
    privateEnc: `v1.iv-${kid}.ct-${kid}.tag`, createdAt: T0 + n, activatedAt: null, retiredAt: null, expiresAt: null, ...overrides,
  };
}

export function makeIssuer(name: string, overrides: Partial<TrustedIssuerRecord> = {}): TrustedIssuerRecord {
  return {
    name, issuer: `https://${name}.idp.test`, jwksUrl: `https://${name}.idp.test/jwks`, jwks: null, audience: null,
    algorithms: ['RS256', 'ES256'], rules: [{ claims: { sub: 'ci-*', repo: 'acme/orders' }, agent: 'agent-1' }],
    subjectTokens: false, subjectScopes: [], allowPrivateNetwork: false, createdAt: T0, updatedAt: T0, ...overrides,
  };
}
