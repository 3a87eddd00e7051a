import type { AuditRecord, SigningKeyRecord } from '../core/types.ts';
import {
  AGENT_COLUMNS, AGENT_KEY_COLUMNS, API_KEY_COLUMNS, AUDIT_COLUMN_COUNT, AUDIT_COLUMNS, auditToParams, CLIENT_SECRET_COLUMNS,
  REVOKED_TOKEN_COLUMNS, SIGNING_KEY_COLUMNS, TRUSTED_ISSUER_COLUMNS,
} from './row-mapping.ts';
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
  changeCounter: 'SELECT n FROM change_counter WHERE id = 1',
  appliedMigrations: 'SELECT id FROM schema_migrations ORDER BY id',
  recordMigration: 'INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)',

  insertAgent: `INSERT INTO agents (${AGENT_COLUMNS}) VALUES (${marks(1, 11)})`,
  agentById: `SELECT ${AGENT_COLUMNS} FROM agents WHERE id = $1`,
  agentByName: `SELECT ${AGENT_COLUMNS} FROM agents WHERE name = $1`,
  listAgents: `SELECT ${AGENT_COLUMNS} FROM agents ORDER BY name`,
  // One fixed statement: an absent field binds NULL and COALESCE keeps the stored value.
  updateAgent: `UPDATE agents SET status = COALESCE($1, status), description = COALESCE($2, description),
    owner = COALESCE($3, owner), labels = COALESCE($4, labels), scopes = COALESCE($5, scopes), updated_at = $6,
    auth_methods = COALESCE($8, auth_methods)
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

  insertClientSecret: `INSERT INTO client_secrets (${CLIENT_SECRET_COLUMNS}) VALUES (${marks(1, 8)})`,
  clientSecretById: `SELECT ${CLIENT_SECRET_COLUMNS} FROM client_secrets WHERE id = $1`,
  clientSecretByHash: `SELECT ${CLIENT_SECRET_COLUMNS} FROM client_secrets WHERE hash = $1`,
  listClientSecretsByAgent: `SELECT ${CLIENT_SECRET_COLUMNS} FROM client_secrets WHERE agent_id = $1 ORDER BY created_at, id`,
  // The same patch semantics (and parameters) as updateApiKey.
  updateClientSecret: `UPDATE client_secrets SET expires_at = COALESCE($1, expires_at),
    revoked_at = CASE WHEN $2 = 1 THEN $3 ELSE revoked_at END,
    replaced_by = CASE WHEN $4 = 1 THEN $5 ELSE replaced_by END
    WHERE id = $6 RETURNING ${CLIENT_SECRET_COLUMNS}`,

  insertAgentKey: `INSERT INTO agent_keys (${AGENT_KEY_COLUMNS}) VALUES (${marks(1, 8)})`,
  listAgentKeysByAgent: `SELECT ${AGENT_KEY_COLUMNS} FROM agent_keys WHERE agent_id = $1 ORDER BY created_at, id`,
  // Revoking twice keeps the first time: the audit trail and any "revoked since" check stay stable.
  revokeAgentKey: `UPDATE agent_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING ${AGENT_KEY_COLUMNS}`,

  listSigningKeys: `SELECT ${SIGNING_KEY_COLUMNS} FROM signing_keys ORDER BY created_at, kid`,
  signingKeyByKid: `SELECT ${SIGNING_KEY_COLUMNS} FROM signing_keys WHERE kid = $1`,
  insertSigningKey: `INSERT INTO signing_keys (${SIGNING_KEY_COLUMNS}) VALUES (${marks(1, 8)})`,
  activeSigningKids: 'SELECT kid FROM signing_keys WHERE activated_at IS NOT NULL AND retired_at IS NULL ORDER BY kid',
  retireSigningKey: 'UPDATE signing_keys SET retired_at = $1, expires_at = $2 WHERE kid = $3 AND activated_at IS NOT NULL AND retired_at IS NULL',
  activateSigningKey: 'UPDATE signing_keys SET activated_at = $1 WHERE kid = $2 AND activated_at IS NULL AND retired_at IS NULL',
  pruneSigningKeys: 'DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND expires_at <= $1',

  revokeToken: `INSERT INTO revoked_tokens (${REVOKED_TOKEN_COLUMNS}) VALUES (${marks(1, 4)}) ON CONFLICT (jti) DO NOTHING`,
  revokedTokenByJti: `SELECT ${REVOKED_TOKEN_COLUMNS} FROM revoked_tokens WHERE jti = $1`,
  pruneRevokedTokens: 'DELETE FROM revoked_tokens WHERE expires_at <= $1',

  // One statement decides, so two instances racing on the same id cannot both win: a new id
  // inserts, an expired one is taken over, a live one makes the statement return no row.
  recordAssertionId: `INSERT INTO assertion_ids (key, jti, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (key, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE assertion_ids.expires_at <= $4
    RETURNING 1 AS recorded`,
  purgeAssertionIds: 'DELETE FROM assertion_ids WHERE expires_at <= $1',

  upsertTrustedIssuer: `INSERT INTO trusted_issuers (${TRUSTED_ISSUER_COLUMNS}) VALUES (${marks(1, 12)})
    ON CONFLICT (name) DO UPDATE SET ${TRUSTED_ISSUER_COLUMNS.split(', ').slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
  listTrustedIssuers: `SELECT ${TRUSTED_ISSUER_COLUMNS} FROM trusted_issuers ORDER BY name`,
  deleteTrustedIssuer: 'DELETE FROM trusted_issuers WHERE name = $1',

  auditHead: 'SELECT seq, hash, seal FROM audit_head WHERE id = 1',
  setAuditHead: 'INSERT INTO audit_head (id, seq, hash, seal) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal',
  scanAudit: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,

  getSetting: 'SELECT value FROM settings WHERE key = $1',
  setSetting: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  insertSettingIfAbsent: 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
} as const;

export function updateAgentParams(id: string, p: AgentPatch): unknown[] {
  return [
    p.status ?? null, p.description ?? null, p.owner ?? null,
    p.labels ? JSON.stringify(p.labels) : null, p.scopes ? JSON.stringify(p.scopes) : null, p.updatedAt, id,
    p.authMethods ? JSON.stringify(p.authMethods) : null,
  ];
}

export function updateApiKeyParams(id: string, p: ApiKeyPatch): unknown[] {
  return [
    p.expiresAt ?? null, p.revokedAt === undefined ? 0 : 1, p.revokedAt ?? null,
    p.replacedBy === undefined ? 0 : 1, p.replacedBy ?? null, id,
  ];
}

/** The expected state of a signing-key rotation (see Store.rotateSigningKeys). */
export interface RotationExpectation {
  retireKid: string | null;
  activateKid: string;
}

/**
 * Whether a rotation may proceed, judged inside the adapter's transaction from the keys that are
 * active now and the key to activate: `retireKid` must be the one active key (null: no key is
 * active yet), and `activateKid` must exist and never have been active.
 */
export function rotationHolds(op: RotationExpectation, activeKids: readonly string[], toActivate: SigningKeyRecord | undefined): boolean {
  const activeOk = op.retireKid === null ? activeKids.length === 0 : activeKids.length === 1 && activeKids[0] === op.retireKid;
  return activeOk && toActivate !== undefined && toActivate.activatedAt === null && toActivate.retiredAt === null;
}

/**
 * The multi-row audit INSERT for `rows` rows. Kept for small row counts only (SQLite's chunks run
 * on every batch); PostgreSQL's chunks of up to 500 rows are built per batch rather than held as
 * up to 500 distinct texts of up to ~60 KB each.
 */
const auditInsertSql = new Map<number, string>();
const AUDIT_SQL_CACHED_ROWS = 16;
function auditInsert(rows: number): string {
  let sql = auditInsertSql.get(rows);
  if (sql === undefined) {
    const values = Array.from({ length: rows }, (_, r) => `(${marks(r * AUDIT_COLUMN_COUNT + 1, AUDIT_COLUMN_COUNT)})`);
    sql = `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ${values.join(', ')}`;
    if (rows <= AUDIT_SQL_CACHED_ROWS) auditInsertSql.set(rows, sql);
  }
  return sql;
}

/**
 * Multi-row INSERTs for a batch of chained records, at most `chunk` rows each (default
 * AUDIT_INSERT_CHUNK). A caller that prepares statements (SQLite) passes a small chunk, so it
 * prepares at most `chunk` distinct statements.
 */
export function insertAuditStatements(records: readonly AuditRecord[], chunk = AUDIT_INSERT_CHUNK): Array<{ sql: string; params: unknown[] }> {
  const out: Array<{ sql: string; params: unknown[] }> = [];
  for (let i = 0; i < records.length; i += chunk) {
    const part = records.slice(i, i + chunk);
    out.push({ sql: auditInsert(part.length), params: part.flatMap(auditToParams) });
  }
  return out;
}
