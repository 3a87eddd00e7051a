import type { Agent, AgentKeyRecord, ClientAuthMethod, RevokedTokenRecord, SigningAlg, TrustedIssuerRecord } from '../core/types.ts';
import type { ClientSecretView, IssuedClientSecret } from '../oauth/client-secret-service.ts';
import type { TrustedIssuerInput } from '../oauth/trusted-issuer-service.ts';

/** One of Gatehouse's signing keys as operators see it: facts only, never key material. */
export interface SigningKeyView {
  kid: string;
  alg: SigningAlg;
  state: 'next' | 'active' | 'retired';
  createdAt: number;
  activatedAt: number | null;
  expiresAt: number | null;
}

/** The outcome of a forced rotation. `rotated` is false when another instance rotated first. */
export interface SigningKeyRotation {
  rotated: boolean;
  previousKid: string | null;
  activeKid: string | null;
  keys: SigningKeyView[];
}

/** A public JWK set (what the data plane serves at /oauth/jwks). */
export interface PublicJwks {
  keys: Record<string, unknown>[];
}

/** The token service's admin operations (part of AdminOps; same local/remote split). */
export interface OAuthAdminOps {
  /** Registers exactly these token-endpoint authentication methods (an empty list clears them). */
  setAgentAuthMethods(agentRef: string, methods: ClientAuthMethod[]): Promise<Agent>;

  /** Registers a public JWK for private_key_jwt; private or symmetric keys are refused. */
  addAgentKey(agentRef: string, jwk: Record<string, unknown>, opts: { alg?: string; kid?: string }): Promise<AgentKeyRecord>;
  listAgentKeys(agentRef: string): Promise<AgentKeyRecord[]>;
  /** `keyRef` is the key's id (akey_…) or its kid. */
  removeAgentKey(agentRef: string, keyRef: string): Promise<AgentKeyRecord>;

  issueClientSecret(agentRef: string, opts: { ttlDays?: number }): Promise<IssuedClientSecret>;
  listClientSecrets(agentRef: string): Promise<ClientSecretView[]>;
  rotateClientSecret(secretId: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedClientSecret & { previous: ClientSecretView }>;
  revokeClientSecret(secretId: string): Promise<ClientSecretView>;

  /** Adds or replaces (by name) a trusted issuer; a bad definition is a 400 naming the field. */
  putIssuer(definition: TrustedIssuerInput): Promise<TrustedIssuerRecord>;
  listIssuers(): Promise<TrustedIssuerRecord[]>;
  removeIssuer(name: string): Promise<void>;

  listSigningKeys(): Promise<SigningKeyView[]>;
  /** Activates the published next key now and publishes a new next key. */
  rotateSigningKeys(): Promise<SigningKeyRotation>;
  /** The published verification keys (public), for `token inspect`. */
  signingJwks(): Promise<PublicJwks>;

  /** Revokes an access token by its `jti`; every instance refuses it from its next request. */
  revokeToken(jti: string): Promise<RevokedTokenRecord>;
  /** The revocation of `jti`, or null when it is not revoked. */
  tokenRevocation(jti: string): Promise<RevokedTokenRecord | null>;
}
