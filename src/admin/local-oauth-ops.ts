import type { LocalCore } from '../app/open-local.ts';
import { badRequest, ConfigError } from '../core/errors.ts';
import type { Agent, AgentKeyRecord, ClientAuthMethod, RevokedTokenRecord, TrustedIssuerRecord } from '../core/types.ts';
import { adminAuditEntry } from '../identity/admin-audit.ts';
import type { ClientSecretView, IssuedClientSecret } from '../oauth/client-secret-service.ts';
import type { TrustedIssuerInput } from '../oauth/trusted-issuer-service.ts';
import type { OAuthAdminOps, PublicJwks, SigningKeyRotation, SigningKeyView } from './oauth-admin-ops.ts';

/** No access token lives longer than this (oauth.accessTokenTtlSeconds is capped at 1 h). */
const MAX_TOKEN_LIFETIME_MS = 3_600_000;
const JTI = /^[\x21-\x7e]{1,256}$/;

/**
 * The token service's admin operations over the local store (LocalAdminOps extends this).
 * Every change is audited with `actor` by the services, or here when there is no service.
 */
export class LocalOAuthOps implements OAuthAdminOps {
  protected readonly core: LocalCore;
  protected readonly actor: string;

  constructor(core: LocalCore, actor: string) {
    this.core = core;
    this.actor = actor;
  }

  setAgentAuthMethods(agentRef: string, methods: ClientAuthMethod[]): Promise<Agent> {
    return this.core.agents.setAuthMethods(agentRef, methods, this.actor);
  }

  addAgentKey(agentRef: string, jwk: Record<string, unknown>, opts: { alg?: string; kid?: string }): Promise<AgentKeyRecord> {
    return this.core.oauth.agentKeys.add(agentRef, jwk, opts, this.actor);
  }
  listAgentKeys(agentRef: string): Promise<AgentKeyRecord[]> {
    return this.core.oauth.agentKeys.list(agentRef);
  }
  removeAgentKey(agentRef: string, keyRef: string): Promise<AgentKeyRecord> {
    return this.core.oauth.agentKeys.remove(agentRef, keyRef, this.actor);
  }

  issueClientSecret(agentRef: string, opts: { ttlDays?: number }): Promise<IssuedClientSecret> {
    return this.core.oauth.secrets.issue(agentRef, opts, this.actor);
  }
  listClientSecrets(agentRef: string): Promise<ClientSecretView[]> {
    return this.core.oauth.secrets.list(agentRef);
  }
  rotateClientSecret(secretId: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedClientSecret & { previous: ClientSecretView }> {
    return this.core.oauth.secrets.rotate(secretId, opts, this.actor);
  }
  revokeClientSecret(secretId: string): Promise<ClientSecretView> {
    return this.core.oauth.secrets.revoke(secretId, this.actor);
  }

  /** The service reports a bad definition as a ConfigError; here it is the caller's bad request, like any other. */
  async putIssuer(definition: TrustedIssuerInput): Promise<TrustedIssuerRecord> {
    try {
      return await this.core.oauth.issuers.put(definition, this.actor);
    } catch (err) {
      if (err instanceof ConfigError) throw badRequest('issuer_invalid', `invalid trusted issuer: ${err.issues.join('; ')}`);
      throw err;
    }
  }
  listIssuers(): Promise<TrustedIssuerRecord[]> {
    return this.core.oauth.issuers.list();
  }
  removeIssuer(name: string): Promise<void> {
    return this.core.oauth.issuers.remove(name, this.actor);
  }

  /** ensureKeys first: a deployment whose gateway never started has no keys yet. */
  async listSigningKeys(): Promise<SigningKeyView[]> {
    await this.core.oauth.keys.ensureKeys();
    return this.core.oauth.keys.describe();
  }

  async rotateSigningKeys(): Promise<SigningKeyRotation> {
    const keys = this.core.oauth.keys;
    await keys.ensureKeys();
    const activeKid = (): string | null => keys.describe().find((k) => k.state === 'active')?.kid ?? null;
    const previousKid = activeKid();
    const rotated = await keys.rotate();
    const now = this.core.clock.now();
    await this.core.store.appendAudit([adminAuditEntry({ time: now, action: 'signing_key.rotate', actor: this.actor, details: { rotated, previousKid, activeKid: activeKid() } })]);
    return { rotated, previousKid, activeKid: activeKid(), keys: keys.describe() };
  }

  /** Reload, not ensureKeys: inspecting a token must not create keys. */
  async signingJwks(): Promise<PublicJwks> {
    await this.core.oauth.keys.reload();
    return this.core.oauth.keys.jwks() as PublicJwks;
  }

  /**
   * Without the token its expiry is unknown, so the revocation is kept for the longest lifetime any
   * token can have (plus clock skew); the store keeps the first record if it was already revoked.
   */
  async revokeToken(jti: string): Promise<RevokedTokenRecord> {
    checkJti(jti);
    const now = this.core.clock.now();
    const expiresAt = now + MAX_TOKEN_LIFETIME_MS + this.core.config().oauth.clockSkewSeconds * 1000;
    await this.core.store.revokeToken({ jti, agentId: null, expiresAt, revokedAt: now });
    const rec = (await this.core.store.getRevokedToken(jti)) ?? { jti, agentId: null, expiresAt, revokedAt: now };
    await this.core.store.appendAudit([adminAuditEntry({ time: now, action: 'token.revoke', actor: this.actor, details: { jti, expiresAt: rec.expiresAt } })]);
    return rec;
  }

  async tokenRevocation(jti: string): Promise<RevokedTokenRecord | null> {
    checkJti(jti);
    return (await this.core.store.getRevokedToken(jti)) ?? null;
  }
}

function checkJti(jti: string): void {
  if (!JTI.test(jti)) throw badRequest('jti_invalid', 'a token id (jti) is 1-256 printable ASCII characters');
}
