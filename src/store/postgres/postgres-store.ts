import pg from 'pg';
import type { PoolClient } from 'pg';
import { ConfigError, conflict, notFound } from '../../core/errors.ts';
import { chainEntries, sealHead } from '../../core/hash-chain.ts';
import type { Agent, AgentKeyRecord, ApiKeyRecord, AuditEntry, AuditRecord, ClientSecretRecord, RevokedTokenRecord, SigningKeyRecord, TrustedIssuerRecord } from '../../core/types.ts';
import { buildAuditQuery, pageSize } from '../audit-query-sql.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, pendingMigrations, type Migration } from '../migrations.ts';
import {
  agentFromRow, agentKeyFromRow, agentKeyToParams, agentToParams, apiKeyFromRow, apiKeyToParams, auditFromRow, clientSecretFromRow, clientSecretToParams,
  latestTouches, revokedTokenFromRow, revokedTokenToParams, signingKeyFromRow, signingKeyToParams, storableEntry, trustedIssuerFromRow,
  trustedIssuerToParams,
} from '../row-mapping.ts';
import { SQL, insertAuditStatements, rotationHolds, updateAgentParams, updateApiKeyParams } from '../sql.ts';
import type { AgentPatch, ApiKeyPatch, AuditHead, AuditQuery, Store } from '../store.ts';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** Tables live in this schema (created if missing); every pooled connection's search_path is set to it. */
  schema?: string;
  /** Pool size. */
  max?: number;
  connectionTimeoutMillis?: number;
  /** Errors of idle pooled connections (e.g. the server restarted); the next query reconnects. */
  onIdleError?: (err: Error) => void;
  /** Override the migration list (tests of the migration runner). */
  migrations?: readonly Migration[];
  /** Seals the audit head with every append (core/hash-chain.ts auditSealKey). */
  auditSealKey?: string;
}

type Row = Record<string, unknown>;

/** Lowercase identifiers only, so the name never needs quoting or escaping anywhere. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Advisory-lock class id ("gate"); the second key is a hash of the purpose and schema, so
 * replicas sharing one schema serialize while unrelated schemas in the same database do not. */
const LOCK_CLASS = 0x67617465;
const LOCK_SQL = 'SELECT pg_advisory_xact_lock($1::int, hashtext($2))';

const pgCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** recordAssertionId purges expired ids on its first call and every this-many calls after. */
const ASSERTION_PURGE_EVERY = 100;

// The ids and times of a batch as two arrays: one statement however many keys were used.
const TOUCH_SQL = `UPDATE api_keys AS k SET last_used_at = u.t FROM unnest($1::text[], $2::bigint[]) AS u(id, t)
  WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.t)`;

/** The shared adapter on a `pg` Pool, for several Gatehouse instances behind one database. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;
  readonly #migrations: readonly Migration[];
  readonly #sealKey: string | undefined;
  #closed = false;
  #assertionCalls = 0;

  constructor(opts: PostgresStoreOptions) {
    if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
      throw new ConfigError([`store.url: schema "${opts.schema}" must be a lowercase identifier ([a-z_][a-z0-9_]*, at most 63 characters)`]);
    }
    this.#schema = opts.schema;
    this.#migrations = opts.migrations ?? MIGRATIONS;
    this.#sealKey = opts.auditSealKey;
    this.#pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
      // A startup parameter, so it is in force before the connection runs its first query.
      ...(opts.schema === undefined ? {} : { options: `-c search_path=${opts.schema}` }),
    });
    this.#pool.on('error', opts.onIdleError ?? (() => {}));
  }

  async migrate(): Promise<void> {
    await this.#tx(async (c) => {
      // Two instances starting at once: the second waits here, then finds nothing to do.
      await c.query(LOCK_SQL, [LOCK_CLASS, `migrate:${this.#schema ?? ''}`]);
      if (this.#schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
      await c.query(MIGRATIONS_TABLE_SQL.postgres);
      const applied = (await c.query<Row>(SQL.appliedMigrations)).rows.map((r) => Number(r.id));
      for (const m of pendingMigrations(applied, this.#migrations)) {
        await c.query(m.sql.postgres);
        await c.query(SQL.recordMigration, [m.id, m.name, Date.now()]);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async ping(): Promise<void> {
    await this.#rows(SQL.ping);
  }

  async createAgent(agent: Agent): Promise<void> {
    try {
      await this.#rows(SQL.insertAgent, agentToParams(agent));
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('agent_exists', `an agent named "${agent.name}" (or with id ${agent.id}) already exists`);
      throw err;
    }
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    return mapOne(await this.#rows(SQL.agentById, [id]), agentFromRow);
  }

  async getAgentByName(name: string): Promise<Agent | undefined> {
    return mapOne(await this.#rows(SQL.agentByName, [name]), agentFromRow);
  }

  async listAgents(): Promise<Agent[]> {
    return (await this.#rows(SQL.listAgents)).map(agentFromRow);
  }

  async updateAgent(id: string, patch: AgentPatch): Promise<Agent | undefined> {
    return mapOne(await this.#rows(SQL.updateAgent, updateAgentParams(id, patch)), agentFromRow);
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    try {
      await this.#rows(SQL.insertApiKey, apiKeyToParams(key));
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('api_key_exists', `an API key with id ${key.id} or the same hash already exists`);
      if (pgCode(err) === FOREIGN_KEY_VIOLATION) throw notFound('agent_not_found', `agent ${key.agentId} does not exist`);
      throw err;
    }
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return mapOne(await this.#rows(SQL.apiKeyById, [id]), apiKeyFromRow);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    return mapOne(await this.#rows(SQL.apiKeyByHash, [hash]), apiKeyFromRow);
  }

  async listApiKeys(agentId?: string): Promise<ApiKeyRecord[]> {
    const rows = agentId === undefined ? await this.#rows(SQL.listApiKeys) : await this.#rows(SQL.listApiKeysByAgent, [agentId]);
    return rows.map(apiKeyFromRow);
  }

  async updateApiKey(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    return mapOne(await this.#rows(SQL.updateApiKey, updateApiKeyParams(id, patch)), apiKeyFromRow);
  }

  async touchApiKeys(updates: ReadonlyArray<{ id: string; lastUsedAt: number }>): Promise<void> {
    if (updates.length === 0) return;
    // Sorted so concurrent batches from several instances lock rows in the same order.
    const latest = [...latestTouches(updates)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await this.#rows(TOUCH_SQL, [latest.map(([id]) => id), latest.map(([, at]) => at)]);
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    const storable = entries.map(storableEntry);
    return this.#tx(async (c) => {
      // Every replica takes the same lock before reading the head, so they chain one after another.
      await c.query(LOCK_SQL, [LOCK_CLASS, `audit:${this.#schema ?? ''}`]);
      const head = mapOne((await c.query<Row>(SQL.auditHead)).rows, (r) => ({ seq: Number(r.seq), hash: String(r.hash), seal: r.seal === null || r.seal === undefined ? null : String(r.seal) }));
      const records = chainEntries(head, storable);
      for (const { sql, params } of insertAuditStatements(records)) await c.query(sql, params);
      const last = records[records.length - 1] as AuditRecord;
      await c.query(SQL.setAuditHead, [last.seq, last.hash, this.#sealKey === undefined ? null : sealHead(this.#sealKey, last.seq, last.hash)]);
      return records;
    });
  }

  async queryAudit(query: AuditQuery): Promise<AuditRecord[]> {
    const { sql, params } = buildAuditQuery(query);
    return (await this.#rows(sql, params)).map(auditFromRow);
  }

  async scanAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return (await this.#rows(SQL.scanAudit, [afterSeq, pageSize(limit)])).map(auditFromRow);
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    return mapOne(await this.#rows(SQL.auditHead), (r) => ({ seq: Number(r.seq), hash: String(r.hash), seal: r.seal === null || r.seal === undefined ? null : String(r.seal) }));
  }

  async insertClientSecret(secret: ClientSecretRecord): Promise<void> {
    try {
      await this.#rows(SQL.insertClientSecret, clientSecretToParams(secret));
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('client_secret_exists', `a client secret with id ${secret.id} or the same hash already exists`);
      if (pgCode(err) === FOREIGN_KEY_VIOLATION) throw notFound('agent_not_found', `agent ${secret.agentId} does not exist`);
      throw err;
    }
  }

  async getClientSecret(id: string): Promise<ClientSecretRecord | undefined> {
    return mapOne(await this.#rows(SQL.clientSecretById, [id]), clientSecretFromRow);
  }

  async findClientSecretByHash(hash: string): Promise<ClientSecretRecord | undefined> {
    return mapOne(await this.#rows(SQL.clientSecretByHash, [hash]), clientSecretFromRow);
  }

  async listClientSecrets(agentId: string): Promise<ClientSecretRecord[]> {
    return (await this.#rows(SQL.listClientSecretsByAgent, [agentId])).map(clientSecretFromRow);
  }

  async updateClientSecret(id: string, patch: ApiKeyPatch): Promise<ClientSecretRecord | undefined> {
    return mapOne(await this.#rows(SQL.updateClientSecret, updateApiKeyParams(id, patch)), clientSecretFromRow);
  }

  async insertAgentKey(key: AgentKeyRecord): Promise<void> {
    try {
      await this.#rows(SQL.insertAgentKey, agentKeyToParams(key));
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('agent_key_exists', `agent ${key.agentId} already has a key with kid "${key.kid}" (or id ${key.id} exists)`);
      if (pgCode(err) === FOREIGN_KEY_VIOLATION) throw notFound('agent_not_found', `agent ${key.agentId} does not exist`);
      throw err;
    }
  }

  async listAgentKeys(agentId: string): Promise<AgentKeyRecord[]> {
    return (await this.#rows(SQL.listAgentKeysByAgent, [agentId])).map(agentKeyFromRow);
  }

  async revokeAgentKey(id: string, revokedAt: number): Promise<AgentKeyRecord | undefined> {
    return mapOne(await this.#rows(SQL.revokeAgentKey, [revokedAt, id]), agentKeyFromRow);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return (await this.#rows(SQL.listSigningKeys)).map(signingKeyFromRow);
  }

  async insertSigningKey(key: SigningKeyRecord): Promise<void> {
    await insertSigningKey((sql, params) => this.#rows(sql, params), key);
  }

  async rotateSigningKeys(op: { retireKid: string | null; retireExpiresAt: number; activateKid: string; next: SigningKeyRecord; now: number }): Promise<boolean> {
    return this.#tx(async (c) => {
      // Every replica takes the same lock before reading the key states, so racing rotations run
      // one after another and the second finds its expectation no longer holds.
      await c.query(LOCK_SQL, [LOCK_CLASS, `signing-keys:${this.#schema ?? ''}`]);
      const active = (await c.query<Row>(SQL.activeSigningKids)).rows.map((r) => String(r.kid));
      const toActivate = mapOne((await c.query<Row>(SQL.signingKeyByKid, [op.activateKid])).rows, signingKeyFromRow);
      if (!rotationHolds(op, active, toActivate)) return false;
      if (op.retireKid !== null) await c.query(SQL.retireSigningKey, [op.now, op.retireExpiresAt, op.retireKid]);
      await c.query(SQL.activateSigningKey, [op.now, op.activateKid]);
      await insertSigningKey(async (sql, params) => (await c.query<Row>(sql, params)).rows, op.next);
      return true;
    });
  }

  async pruneSigningKeys(now: number): Promise<number> {
    return this.#count(SQL.pruneSigningKeys, [now]);
  }

  async revokeToken(rec: RevokedTokenRecord): Promise<void> {
    await this.#rows(SQL.revokeToken, revokedTokenToParams(rec));
  }

  async getRevokedToken(jti: string): Promise<RevokedTokenRecord | undefined> {
    return mapOne(await this.#rows(SQL.revokedTokenByJti, [jti]), revokedTokenFromRow);
  }

  async pruneRevokedTokens(now: number): Promise<number> {
    return this.#count(SQL.pruneRevokedTokens, [now]);
  }

  async recordAssertionId(key: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    // A purge racing another replica's takeover of an expired id is safe: the DELETE re-checks
    // expires_at on the row version it finally locks.
    if (this.#assertionCalls++ % ASSERTION_PURGE_EVERY === 0) await this.#rows(SQL.purgeAssertionIds, [now]);
    return (await this.#rows(SQL.recordAssertionId, [key, jti, expiresAt, now])).length > 0;
  }

  async upsertTrustedIssuer(rec: TrustedIssuerRecord): Promise<void> {
    await this.#rows(SQL.upsertTrustedIssuer, trustedIssuerToParams(rec));
  }

  async listTrustedIssuers(): Promise<TrustedIssuerRecord[]> {
    return (await this.#rows(SQL.listTrustedIssuers)).map(trustedIssuerFromRow);
  }

  async deleteTrustedIssuer(name: string): Promise<boolean> {
    return (await this.#count(SQL.deleteTrustedIssuer, [name])) > 0;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return mapOne(await this.#rows(SQL.getSetting, [key]), (r) => String(r.value));
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.#rows(SQL.setSetting, [key, value]);
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    await this.#rows(SQL.insertSettingIfAbsent, [key, value]);
    // Read committed: this sees our insert or the committed row that made it a no-op.
    return String(mapOne(await this.#rows(SQL.getSetting, [key]), (r) => r.value));
  }

  async #rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.#pool.query<Row>(sql, params)).rows;
  }

  /** Runs a write and returns how many rows it affected. */
  async #count(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.#pool.query(sql, params)).rowCount ?? 0;
  }

  /** Runs `fn` in a transaction on one pooled connection; any throw rolls everything back. */
  async #tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A failed ROLLBACK means the connection itself is gone: drop it rather than reuse it.
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

/** Inserts through `query` (the pool or a transaction's client), mapping a duplicate to a 409. */
async function insertSigningKey(query: (sql: string, params: unknown[]) => Promise<Row[]>, key: SigningKeyRecord): Promise<void> {
  try {
    await query(SQL.insertSigningKey, signingKeyToParams(key));
  } catch (err) {
    if (pgCode(err) === UNIQUE_VIOLATION) throw conflict('signing_key_exists', `a signing key with kid "${key.kid}" already exists, or another key is already active`);
    throw err;
  }
}

function mapOne<T>(rows: Row[], map: (r: Row) => T): T | undefined {
  return rows[0] === undefined ? undefined : map(rows[0]);
}
