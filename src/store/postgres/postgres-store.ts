import pg from 'pg';
import type { PoolClient } from 'pg';
import { ConfigError, conflict, notFound } from '../../core/errors.ts';
import { chainEntries, sealHead } from '../../core/hash-chain.ts';
import type { Agent, ApiKeyRecord, AuditEntry, AuditRecord } from '../../core/types.ts';
import { buildAuditQuery, pageSize } from '../audit-query-sql.ts';
import { MIGRATIONS, MIGRATIONS_TABLE_SQL, pendingMigrations, type Migration } from '../migrations.ts';
import { agentFromRow, agentToParams, apiKeyFromRow, apiKeyToParams, auditFromRow, latestTouches, storableEntry } from '../row-mapping.ts';
import { SQL, insertAuditStatements, updateAgentParams, updateApiKeyParams } from '../sql.ts';
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

function mapOne<T>(rows: Row[], map: (r: Row) => T): T | undefined {
  return rows[0] === undefined ? undefined : map(rows[0]);
}
