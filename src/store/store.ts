import type { Agent, AgentKeyRecord, AgentStatus, ApiKeyRecord, AuditEntry, AuditRecord, ClientAuthMethod, ClientSecretRecord, RevokedTokenRecord, SigningKeyRecord, TrustedIssuerRecord } from '../core/types.ts';
import type { Decision } from '../core/reasons.ts';

export interface AgentPatch {
  status?: AgentStatus;
  description?: string;
  owner?: string;
  labels?: string[];
  scopes?: string[];
  authMethods?: ClientAuthMethod[];
  updatedAt: number;
}

export interface ApiKeyPatch {
  expiresAt?: number;
  revokedAt?: number | null;
  replacedBy?: string | null;
}

export interface AuditQuery {
  /** Only records with seq > afterSeq. */
  afterSeq?: number;
  agent?: string; // agent id or name
  decision?: Decision;
  kind?: AuditEntry['kind'];
  limit: number;
  /** 'asc' (oldest first) or 'desc' (newest first). */
  order: 'asc' | 'desc';
}

/** The audit chain's head as last written, kept beside the records so a truncated tail is detectable. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** HMAC over `seq:hash` with the audit seal key (see core/hash-chain.ts sealHead); null when the store has no key. */
  seal?: string | null;
}

/**
 * The storage port. SQLite and PostgreSQL implement it with the same schema and migrations;
 * one conformance suite (store-conformance.ts) runs against every adapter.
 * Every method may throw; callers on the request path fail closed.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs forward-only migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness probe (SELECT 1). */
  ping(): Promise<void>;
  /**
   * A token that changes whenever agents, credentials (API keys, client secrets), keys (agent keys,
   * signing keys), token revocations or trusted issuers may have changed — through this adapter or
   * through any other process on the same database. Only adapters that can answer synchronously and
   * exactly provide it (SQLite: a trigger-maintained change counter + own writes). Audit appends,
   * last-used touches and assertion ids do not change it; callers cache credential lookups
   * only while the token is unchanged, and never cache when it is absent.
   */
  readonly changeStamp?: () => string;

  /** Throws GatehouseError code `agent_exists` (409) on a duplicate name. */
  createAgent(agent: Agent): Promise<void>;
  getAgent(id: string): Promise<Agent | undefined>;
  getAgentByName(name: string): Promise<Agent | undefined>;
  listAgents(): Promise<Agent[]>;
  updateAgent(id: string, patch: AgentPatch): Promise<Agent | undefined>;

  insertApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(agentId?: string): Promise<ApiKeyRecord[]>;
  updateApiKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined>;
  /** Batched last-used updates (written off the hot path). */
  touchApiKeys(updates: ReadonlyArray<{ id: string; lastUsedAt: number }>): Promise<void>;

  /**
   * Appends entries atomically, chaining each to the previous record (see core/hash-chain.ts).
   * Serialized across processes (SQLite: BEGIN IMMEDIATE; PostgreSQL: advisory transaction lock),
   * and updates the stored head in the same transaction. Returns the stored records.
   */
  appendAudit(entries: readonly AuditEntry[]): Promise<AuditRecord[]>;
  queryAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** Reads every record in seq order, in pages, for verification. */
  scanAudit(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  getAuditHead(): Promise<AuditHead | undefined>;

  /** Client secrets (token endpoint). Throws `client_secret_exists` (409) / `agent_not_found` (404). */
  insertClientSecret(secret: ClientSecretRecord): Promise<void>;
  getClientSecret(id: string): Promise<ClientSecretRecord | undefined>;
  findClientSecretByHash(hash: string): Promise<ClientSecretRecord | undefined>;
  listClientSecrets(agentId: string): Promise<ClientSecretRecord[]>;
  updateClientSecret(id: string, patch: ApiKeyPatch): Promise<ClientSecretRecord | undefined>;

  /** Agent public keys for private_key_jwt. Throws `agent_key_exists` (409) on a duplicate (agentId, kid). */
  insertAgentKey(key: AgentKeyRecord): Promise<void>;
  listAgentKeys(agentId: string): Promise<AgentKeyRecord[]>;
  /** Marks the key revoked; returns undefined when no such key. */
  revokeAgentKey(id: string, revokedAt: number): Promise<AgentKeyRecord | undefined>;

  /** Gatehouse's own signing keys, every state, oldest first. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /**
   * The rotation, atomically and at most once across instances: retires `retireKid` (if given)
   * with `expiresAt`, activates `activateKid`, inserts `next` — only if `activateKid` is still not
   * active and `retireKid` is still the active key. Returns false (changing nothing) otherwise.
   */
  rotateSigningKeys(op: { retireKid: string | null; retireExpiresAt: number; activateKid: string; next: SigningKeyRecord; now: number }): Promise<boolean>;
  /** Deletes retired keys whose expiresAt ≤ now. */
  pruneSigningKeys(now: number): Promise<number>;

  /** Idempotent: revoking a revoked jti keeps the first record. */
  revokeToken(rec: RevokedTokenRecord): Promise<void>;
  getRevokedToken(jti: string): Promise<RevokedTokenRecord | undefined>;
  /** Deletes revocations of tokens that have expired anyway. */
  pruneRevokedTokens(now: number): Promise<number>;

  /**
   * Records a one-time assertion id (private_key_jwt / jwt-bearer `jti`), scoped by `key`
   * (issuer or client). Returns false when it was already recorded and not yet expired: a replay.
   * Expired entries are purged as a side effect.
   */
  recordAssertionId(key: string, jti: string, expiresAt: number, now: number): Promise<boolean>;

  /** Trusted external issuers, by unique name. upsert replaces the whole record. */
  upsertTrustedIssuer(rec: TrustedIssuerRecord): Promise<void>;
  listTrustedIssuers(): Promise<TrustedIssuerRecord[]>;
  deleteTrustedIssuer(name: string): Promise<boolean>;

  /** Small key/value settings (admin token hash, instance facts). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** Sets the value only when absent; returns the value now stored. */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}
