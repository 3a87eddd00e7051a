import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { conflict, notFound } from '../../core/errors.ts';
import { chainEntries, sealHead } from '../../core/hash-chain.ts';
import type { Agent, AgentKeyRecord, ApiKeyRecord, AuditEntry, AuditRecord, ClientSecretRecord, RevokedTokenRecord, SigningKeyRecord, TrustedIssuerRecord } from '../../core/types.ts';
import { buildAuditQuery, pageSize } from '../audit-query-sql.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, pendingMigrations, type Migration } from '../migrations.ts';
import {
  agentFromRow, agentKeyFromRow, agentKeyToParams, agentToParams, apiKeyFromRow, apiKeyToParams, auditFromRow, clientSecretFromRow,
  clientSecretToParams, latestTouches, revokedTokenFromRow, revokedTokenToParams, signingKeyFromRow, signingKeyToParams, storableEntry,
  trustedIssuerFromRow, trustedIssuerToParams,
} from '../row-mapping.ts';
import { insertAuditStatements, rotationHolds, SQL, updateAgentParams, updateApiKeyParams } from '../sql.ts';
import type { AgentPatch, ApiKeyPatch, AuditHead, AuditQuery, Store } from '../store.ts';
import { MEMORY_PATH, openDatabase, restrictFiles } from './open-database.ts';

export interface SqliteStoreOptions {
  /** File path, or `:memory:` (tests only: nothing survives close). */
  path: string;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  /** Override the migration list (tests of the migration runner). */
  migrations?: readonly Migration[];
  /** Seals the audit head with every append (core/hash-chain.ts auditSealKey). */
  auditSealKey?: string;
}

type Row = Record<string, unknown>;

// SQLite extended result codes (https://sqlite.org/rescode.html).
const CONSTRAINT_FOREIGNKEY = 787;
const CONSTRAINT_UNIQUE = new Set<number | undefined>([1555 /* PRIMARYKEY */, 2067 /* UNIQUE */]);
const errcode = (err: unknown): number | undefined => (err as { errcode?: number } | null)?.errcode;
/** recordAssertionId purges expired ids on its first call and every this-many calls after. */
const ASSERTION_PURGE_EVERY = 100;
/**
 * Rows per audit INSERT here. Eight rows per statement measured ~1.3 µs of CPU less per audit
 * record than one (appendAudit of 128-entry batches: ~8.2 against ~9.5 µs per record, WAL and the
 * three audit indexes); 32 rows were no cheaper than 8, and every row count up to the chunk is
 * one more prepared statement.
 */
const SQLITE_AUDIT_CHUNK = 8;

/**
 * The embedded adapter on `node:sqlite`. The driver is synchronous, so within one process calls
 * never interleave; across processes every write transaction is `BEGIN IMMEDIATE`, which takes
 * the write lock up front (waiting up to busy_timeout) instead of failing at its first write.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #migrations: readonly Migration[];
  readonly #sealKey: string | undefined;
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;
  /** Bumped by this connection's own writes of agents, credentials, keys, revocations and trusted
   * issuers, so they count at once (the change counter is read once per event-loop turn). */
  #ownWrites = 0;
  #assertionCalls = 0;
  #changeCounter: string | undefined;

  constructor(opts: SqliteStoreOptions) {
    this.#path = opts.path;
    this.#migrations = opts.migrations ?? MIGRATIONS;
    this.#sealKey = opts.auditSealKey;
    this.#db = openDatabase(opts.path, opts.busyTimeoutMs ?? 5000);
  }

  async migrate(): Promise<void> {
    this.#tx(() => {
      this.#db.exec(MIGRATIONS_TABLE_SQL.sqlite);
      const applied = this.#all(SQL.appliedMigrations).map((r) => Number(r.id));
      for (const m of pendingMigrations(applied, this.#migrations)) {
        this.#db.exec(m.sql.sqlite);
        this.#run(SQL.recordMigration, m.id, m.name, Date.now());
      }
    });
    if (this.#path !== MEMORY_PATH) restrictFiles(this.#path);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  async ping(): Promise<void> {
    this.#get(SQL.ping);
  }

  /**
   * The change counter (migration 4: triggers on the tables cached lookups depend on, whoever writes
   * them) read at most once per event-loop turn (a commit landing mid-turn is indistinguishable from
   * one landing just after it); our own writes count at once. Not PRAGMA data_version: that moves
   * with every commit by another connection, and the audit writer thread commits all the time.
   */
  readonly changeStamp = (): string => {
    if (this.#changeCounter === undefined) {
      this.#changeCounter = String(this.#get(SQL.changeCounter)?.n);
      setImmediate(() => (this.#changeCounter = undefined));
    }
    return `${this.#changeCounter}:${this.#ownWrites}`;
  };

  async createAgent(agent: Agent): Promise<void> {
    this.#ownWrites += 1;
    try {
      this.#run(SQL.insertAgent, ...agentToParams(agent));
    } catch (err) {
      if (CONSTRAINT_UNIQUE.has(errcode(err))) throw conflict('agent_exists', `an agent named "${agent.name}" (or with id ${agent.id}) already exists`);
      throw err;
    }
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    return mapOne(this.#get(SQL.agentById, id), agentFromRow);
  }

  async getAgentByName(name: string): Promise<Agent | undefined> {
    return mapOne(this.#get(SQL.agentByName, name), agentFromRow);
  }

  async listAgents(): Promise<Agent[]> {
    return this.#all(SQL.listAgents).map(agentFromRow);
  }

  async updateAgent(id: string, patch: AgentPatch): Promise<Agent | undefined> {
    this.#ownWrites += 1;
    return mapOne(this.#get(SQL.updateAgent, ...updateAgentParams(id, patch)), agentFromRow);
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    this.#ownWrites += 1;
    try {
      this.#run(SQL.insertApiKey, ...apiKeyToParams(key));
    } catch (err) {
      if (CONSTRAINT_UNIQUE.has(errcode(err))) throw conflict('api_key_exists', `an API key with id ${key.id} or the same hash already exists`);
      if (errcode(err) === CONSTRAINT_FOREIGNKEY) throw notFound('agent_not_found', `agent ${key.agentId} does not exist`);
      throw err;
    }
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return mapOne(this.#get(SQL.apiKeyById, id), apiKeyFromRow);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return mapOne(this.#get(SQL.apiKeyByHash, hash), apiKeyFromRow);
  }

  async listApiKeys(agentId?: string): Promise<ApiKeyRecord[]> {
    const rows = agentId === undefined ? this.#all(SQL.listApiKeys) : this.#all(SQL.listApiKeysByAgent, agentId);
    return rows.map(apiKeyFromRow);
  }

  async updateApiKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    this.#ownWrites += 1;
    return mapOne(this.#get(SQL.updateApiKey, ...updateApiKeyParams(id, patch)), apiKeyFromRow);
  }

  async touchApiKeys(updates: ReadonlyArray<{ id: string; lastUsedAt: number }>): Promise<void> {
    if (updates.length === 0) return;
    this.#tx(() => {
      for (const [id, at] of latestTouches(updates)) this.#run(SQL.touchApiKey, at, id);
    });
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    const storable = entries.map(storableEntry);
    return this.#tx(() => {
      // The head is read inside the write lock, so no other process can chain onto it meanwhile.
      const records = chainEntries(this.#head(), storable);
      for (const { sql, params } of insertAuditStatements(records, SQLITE_AUDIT_CHUNK)) this.#run(sql, ...params);
      const last = records[records.length - 1] as AuditRecord;
      this.#run(SQL.setAuditHead, last.seq, last.hash, this.#sealKey === undefined ? null : sealHead(this.#sealKey, last.seq, last.hash));
      return records;
    });
  }

  async queryAudit(query: AuditQuery): Promise<AuditRecord[]> {
    const { sql, params } = buildAuditQuery(query);
    return this.#all(sql, ...params).map(auditFromRow);
  }

  async scanAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.#all(SQL.scanAudit, afterSeq, pageSize(limit)).map(auditFromRow);
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    return this.#head();
  }

  async insertClientSecret(secret: ClientSecretRecord): Promise<void> {
    this.#ownWrites += 1;
    try {
      this.#run(SQL.insertClientSecret, ...clientSecretToParams(secret));
    } catch (err) {
      if (CONSTRAINT_UNIQUE.has(errcode(err))) throw conflict('client_secret_exists', `a client secret with id ${secret.id} or the same hash already exists`);
      if (errcode(err) === CONSTRAINT_FOREIGNKEY) throw notFound('agent_not_found', `agent ${secret.agentId} does not exist`);
      throw err;
    }
  }

  async getClientSecret(id: string): Promise<ClientSecretRecord | undefined> {
    return mapOne(this.#get(SQL.clientSecretById, id), clientSecretFromRow);
  }

  async findClientSecretByHash(hash: string): Promise<ClientSecretRecord | undefined> {
    return mapOne(this.#get(SQL.clientSecretByHash, hash), clientSecretFromRow);
  }

  async listClientSecrets(agentId: string): Promise<ClientSecretRecord[]> {
    return this.#all(SQL.listClientSecretsByAgent, agentId).map(clientSecretFromRow);
  }

  async updateClientSecret(id: string, patch: ApiKeyPatch): Promise<ClientSecretRecord | undefined> {
    this.#ownWrites += 1;
    return mapOne(this.#get(SQL.updateClientSecret, ...updateApiKeyParams(id, patch)), clientSecretFromRow);
  }

  async insertAgentKey(key: AgentKeyRecord): Promise<void> {
    this.#ownWrites += 1;
    try {
      this.#run(SQL.insertAgentKey, ...agentKeyToParams(key));
    } catch (err) {
      if (CONSTRAINT_UNIQUE.has(errcode(err))) throw conflict('agent_key_exists', `agent ${key.agentId} already has a key with kid "${key.kid}" (or id ${key.id} exists)`);
      if (errcode(err) === CONSTRAINT_FOREIGNKEY) throw notFound('agent_not_found', `agent ${key.agentId} does not exist`);
      throw err;
    }
  }

  async listAgentKeys(agentId: string): Promise<AgentKeyRecord[]> {
    return this.#all(SQL.listAgentKeysByAgent, agentId).map(agentKeyFromRow);
  }

  async revokeAgentKey(id: string, revokedAt: number): Promise<AgentKeyRecord | undefined> {
    this.#ownWrites += 1;
    return mapOne(this.#get(SQL.revokeAgentKey, revokedAt, id), agentKeyFromRow);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return this.#all(SQL.listSigningKeys).map(signingKeyFromRow);
  }

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    this.#ownWrites += 1;
    this.#insertSigningKey(key);
  }

  async rotateSigningKeys(op: { retireKid: string | null; retireExpiresAt: number; activateKid: string; next: SigningKeyRecord; now: number }): Promise<boolean> {
    this.#ownWrites += 1;
    // BEGIN IMMEDIATE holds the write lock from the first read, so no other process can rotate
    // between the check and the writes.
    return this.#tx(() => {
      const active = this.#all(SQL.activeSigningKids).map((r) => String(r.kid));
      if (!rotationHolds(op, active, mapOne(this.#get(SQL.signingKeyByKid, op.activateKid), signingKeyFromRow))) return false;
      if (op.retireKid !== null) this.#run(SQL.retireSigningKey, op.now, op.retireExpiresAt, op.retireKid);
      this.#run(SQL.activateSigningKey, op.now, op.activateKid);
      this.#insertSigningKey(op.next);
      return true;
    });
  }

  async pruneSigningKeys(now: number): Promise<number> {
    this.#ownWrites += 1;
    return this.#changes(SQL.pruneSigningKeys, now);
  }

  async revokeToken(rec: RevokedTokenRecord): Promise<void> {
    this.#ownWrites += 1;
    this.#run(SQL.revokeToken, ...revokedTokenToParams(rec));
  }

  async getRevokedToken(jti: string): Promise<RevokedTokenRecord | undefined> {
    return mapOne(this.#get(SQL.revokedTokenByJti, jti), revokedTokenFromRow);
  }

  async pruneRevokedTokens(now: number): Promise<number> {
    this.#ownWrites += 1;
    return this.#changes(SQL.pruneRevokedTokens, now);
  }

  async recordAssertionId(key: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    // Not a credential change, so #ownWrites stays: it would only defeat callers' caches.
    if (this.#assertionCalls++ % ASSERTION_PURGE_EVERY === 0) this.#run(SQL.purgeAssertionIds, now);
    return this.#get(SQL.recordAssertionId, key, jti, expiresAt, now) !== undefined;
  }

  async upsertTrustedIssuer(rec: TrustedIssuerRecord): Promise<void> {
    this.#ownWrites += 1;
    this.#run(SQL.upsertTrustedIssuer, ...trustedIssuerToParams(rec));
  }

  async listTrustedIssuers(): Promise<TrustedIssuerRecord[]> {
    return this.#all(SQL.listTrustedIssuers).map(trustedIssuerFromRow);
  }

  async deleteTrustedIssuer(name: string): Promise<boolean> {
    this.#ownWrites += 1;
    return this.#changes(SQL.deleteTrustedIssuer, name) > 0;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return mapOne(this.#get(SQL.getSetting, key), (r) => String(r.value));
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#run(SQL.setSetting, key, value);
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    return this.#tx(() => {
      this.#run(SQL.insertSettingIfAbsent, key, value);
      return String(this.#get(SQL.getSetting, key)?.value);
    });
  }

  #head(): AuditHead | undefined {
    return mapOne(this.#get(SQL.auditHead), (r) => ({ seq: Number(r.seq), hash: String(r.hash), seal: r.seal === null || r.seal === undefined ? null : String(r.seal) }));
  }

  #insertSigningKey(key: SigningKeyRecord): void {
    try {
      this.#run(SQL.insertSigningKey, ...signingKeyToParams(key));
    } catch (err) {
      if (CONSTRAINT_UNIQUE.has(errcode(err))) throw conflict('signing_key_exists', `a signing key with kid "${key.kid}" already exists, or another key is already active`);
      throw err;
    }
  }

  /** Runs `fn` in a write transaction; any throw rolls everything back. */
  #tx<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Prepared once per SQL text, with `$n` placeholders in SQLite's syntax (see sqlitePlaceholders). */
  #statement(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sqlitePlaceholders(sql));
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #run(sql: string, ...params: unknown[]): void {
    this.#statement(sql).run(...(params as SQLInputValue[]));
  }

  /** Runs a write and returns how many rows it changed. */
  #changes(sql: string, ...params: unknown[]): number {
    return Number(this.#statement(sql).run(...(params as SQLInputValue[])).changes);
  }

  #get(sql: string, ...params: unknown[]): Row | undefined {
    return this.#statement(sql).get(...(params as SQLInputValue[]));
  }

  #all(sql: string, ...params: unknown[]): Row[] {
    return this.#statement(sql).all(...(params as SQLInputValue[]));
  }
}

function mapOne<T>(row: Row | undefined, map: (r: Row) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

/**
 * `$1, $2, …` in order, each once, become plain `?` (bound by position); anything else keeps its
 * numbers as `?n` (same meaning). Binding positional arguments to numbered placeholders gets dearer
 * with the statement's parameter count in node:sqlite: on the 20-column audit INSERT one row costs
 * the same either way (6–8 µs), but eight rows per statement cost ~8.6 µs per row with `?n` against
 * ~4.3 µs with `?`.
 */
export function sqlitePlaceholders(sql: string): string {
  let expected = 0;
  let inOrder = true;
  for (const m of sql.matchAll(/\$(\d+)/g)) if (Number(m[1]) !== ++expected) inOrder = false;
  return inOrder ? sql.replace(/\$\d+/g, '?') : sql.replace(/\$(\d+)/g, '?$1');
}
