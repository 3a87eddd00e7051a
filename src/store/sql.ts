import type { AuditRecord } from '../core/types.ts';
import { AGENT_COLUMNS, API_KEY_COLUMNS, AUDIT_COLUMN_COUNT, AUDIT_COLUMNS, auditToParams } from './row-mapping.ts';
import type { AgentPatch, ApiKeyPatch } from './store.ts';

// The statements both adapters run, written once in PostgreSQL's `$n` placeholder style (the
// SQLite adapter rewrites `$n` to SQLite's equivalent `?n`). Values are always bind parameters;
// the only interpolations are the fixed column lists and placeholder numbers.

const marks = (from: number, count: number): string => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** Rows per multi-row audit INSERT: 500 × 20 parameters stays under both engines' limits. */
export const AUDIT_INSERT_CHUNK = 500;

export const SQL = {
  ping: 'SELECT 1 AS ok',
  // SQLite only: changes when another connection (process) commits to the database file.
  dataVersion: 'PRAGMA data_version',
  appliedMigrations: 'SELECT id FROM schema_migrations ORDER BY id',
  recordMigration: 'INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)',

  insertAgent: `INSERT INTO agents (${AGENT_COLUMNS}) VALUES (${marks(1, 10)})`,
  agentById: `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = $1`,
  agentByName: `SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1`,
  listAgents: `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY name`,
  // One fixed statement: an absent field binds NULL and COALESCE keeps the stored value.
  updateAgent: `UPDATE agents SET status = COALESCE($1, status), description = COALESCE($2, description),
    owner = COALESCE($3, owner), labels = COALESCE($4, labels), scopes = COALESCE($5, scopes), updated_at = $6
    WHERE id = $7 RETURNING ${AGENT_COLUMNS}`,

  insertApiKey: `INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES (${marks(1, 10)})`,
  apiKeyById: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = $1`,
  apiKeyByHash: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE hash = $1`,
  listApiKeys: `SELECT ${API_KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`,
  listApiKeysByAgent: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE agent_id = $1 ORDER BY created_at, id`,
  // revokedAt/replacedBy may be set *to* null, so "leave alone" is a separate 0/1 flag.
  updateApiKey: `UPDATE api_keys SET expires_at = COALESCE($1, expires_at),
    revoked_at = CASE WHEN $2 = 1 THEN $3 ELSE revoked_at END,
    replaced_by = CASE WHEN $4 = 1 THEN $5 ELSE replaced_by END
    WHERE id = $6 RETURNING ${API_KEY_COLUMNS}`,
  // Never moves last_used_at backwards (batches from several instances may arrive out of order).
  touchApiKey: 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)',

  auditHead: 'SELECT seq, hash, seal FROM audit_head WHERE id = 1',
  setAuditHead: 'INSERT INTO audit_head (id, seq, hash, seal) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal',
  insertAuditRow: `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${marks(1, AUDIT_COLUMN_COUNT)})`,
  scanAudit: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,

  getSetting: 'SELECT value FROM settings WHERE key = $1',
  setSetting: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  insertSettingIfAbsent: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
} as const;

export function updateAgentParams(id: string, p: AgentPatch): unknown[] {
  return [
    p.status ?? null, p.description ?? null, p.owner ?? null,
    p.labels ? JSON.stringify(p.labels) : null, p.scopes ? JSON.stringify(p.scopes) : null, p.updatedAt, id,
  ];
}

export function updateApiKeyParams(id: string, p: ApiKeyPatch): unknown[] {
  return [
    p.expiresAt ?? null, p.revokedAt === undefined ? 0 : 1, p.revokedAt ?? null,
    p.replacedBy === undefined ? 0 : 1, p.replacedBy ?? null, id,
  ];
}

/** Multi-row INSERTs for a batch of chained records, at most AUDIT_INSERT_CHUNK rows each. */
export function insertAuditStatements(records: readonly AuditRecord[]): Array<{ sql: string; params: unknown[] }> {
  const out: Array<{ sql: string; params: unknown[] }> = [];
  for (let i = 0; i < records.length; i += AUDIT_INSERT_CHUNK) {
    const chunk = records.slice(i, i + AUDIT_INSERT_CHUNK);
    const rows = chunk.map((_, r) => `(${marks(r * AUDIT_COLUMN_COUNT + 1, AUDIT_COLUMN_COUNT)})`);
    out.push({ sql: `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ${rows.join(', ')}`, params: chunk.flatMap(auditToParams) });
  }
  return out;
}
