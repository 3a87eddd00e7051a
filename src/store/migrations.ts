import { GatehouseError } from '../core/errors.ts';

export type Dialect = 'sqlite' | 'postgres';

/** One forward-only schema step. Ids are positive integers, strictly increasing, never reused. */
export interface Migration {
  id: number;
  name: string;
  sql: Record<Dialect, string>;
}

/** Column types that differ by dialect; everything else is written once so both schemas keep one shape. */
const TYPES: Record<Dialect, { int64: string; float: string; seqKey: string; bytewiseText: string }> = {
  // SQLite's INTEGER is 64-bit; `INTEGER PRIMARY KEY` makes seq the rowid (no second index).
  sqlite: { int64: 'INTEGER', float: 'REAL', seqKey: 'INTEGER PRIMARY KEY', bytewiseText: 'TEXT' },
  // Columns we sort by compare bytewise, as SQLite's default BINARY collation does, whatever
  // locale the database was created with (en_US would order `agent-b` after `agent1`).
  postgres: { int64: 'BIGINT', float: 'DOUBLE PRECISION', seqKey: 'BIGINT PRIMARY KEY', bytewiseText: 'TEXT COLLATE "C"' },
};

/** Builds the same statements for both dialects from one template. */
function both(template: (t: (typeof TYPES)[Dialect]) => string): Record<Dialect, string> {
  return { sqlite: template(TYPES.sqlite), postgres: template(TYPES.postgres) };
}

// Times are epoch milliseconds; arrays and objects are JSON text (not jsonb: the audit hash
// depends on the exact text, and jsonb would reorder keys).
const initial = both((t) => `
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name ${t.bytewiseText} NOT NULL UNIQUE,
  spiffe_id TEXT NOT NULL,
  owner TEXT NOT NULL,
  description TEXT NOT NULL,
  labels TEXT NOT NULL,
  scopes TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
  created_at ${t.int64} NOT NULL,
  updated_at ${t.int64} NOT NULL
);
CREATE TABLE api_keys (
  id ${t.bytewiseText} PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  hint TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at ${t.int64} NOT NULL,
  expires_at ${t.int64} NOT NULL,
  last_used_at ${t.int64},
  revoked_at ${t.int64},
  replaced_by TEXT
);
CREATE INDEX api_keys_agent_id ON api_keys (agent_id);
CREATE TABLE audit_log (
  seq ${t.seqKey},
  time ${t.int64} NOT NULL,
  kind TEXT NOT NULL,
  request_id TEXT NOT NULL,
  agent_id TEXT,
  agent_name TEXT,
  credential_id TEXT,
  client_address TEXT,
  method TEXT,
  path TEXT,
  route_id TEXT,
  decision TEXT NOT NULL,
  reasons TEXT NOT NULL,
  upstream_status INTEGER,
  latency_ms ${t.float},
  action TEXT,
  actor TEXT,
  details TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_agent_id ON audit_log (agent_id, seq);
CREATE INDEX audit_log_agent_name ON audit_log (agent_name, seq);
CREATE INDEX audit_log_decision ON audit_log (decision, seq);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq ${t.int64} NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`);

/** The one migration list both adapters apply. Append only: never edit a released migration. */
// The head's seal: HMAC(server-derived key, seq:hash), written with every append. Without the key,
// someone who rewrites records and recomputes the chain cannot produce a matching seal.
const headSeal = both(() => 'ALTER TABLE audit_head ADD COLUMN seal TEXT');

// The OAuth token service: per-agent client-auth methods, client secrets (stored like API keys:
// keyed hash only), agent public keys, Gatehouse's own signing keys, token revocations, one-time
// assertion ids (replay protection), and trusted external issuers. Booleans are INTEGER 0/1 on
// both databases so the schemas keep one shape.
const oauthTokenService = both((t) => `
ALTER TABLE agents ADD COLUMN auth_methods TEXT NOT NULL DEFAULT '[]';
CREATE TABLE client_secrets (
  id ${t.bytewiseText} PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  hint TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at ${t.int64} NOT NULL,
  expires_at ${t.int64} NOT NULL,
  revoked_at ${t.int64},
  replaced_by TEXT
);
CREATE INDEX client_secrets_agent_id ON client_secrets (agent_id);
CREATE TABLE agent_keys (
  id ${t.bytewiseText} PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  kid TEXT NOT NULL,
  alg TEXT NOT NULL,
  jwk TEXT NOT NULL,
  thumbprint TEXT NOT NULL,
  created_at ${t.int64} NOT NULL,
  revoked_at ${t.int64},
  UNIQUE (agent_id, kid)
);
CREATE TABLE signing_keys (
  kid ${t.bytewiseText} PRIMARY KEY,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_enc TEXT NOT NULL,
  created_at ${t.int64} NOT NULL,
  activated_at ${t.int64},
  retired_at ${t.int64},
  expires_at ${t.int64}
);
-- At most one active key, whatever a buggy or racing caller does: every active row indexes the same value.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((1)) WHERE activated_at IS NOT NULL AND retired_at IS NULL;
CREATE TABLE revoked_tokens (
  jti TEXT PRIMARY KEY,
  agent_id TEXT,
  expires_at ${t.int64} NOT NULL,
  revoked_at ${t.int64} NOT NULL
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
CREATE TABLE assertion_ids (
  key TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at ${t.int64} NOT NULL,
  PRIMARY KEY (key, jti)
);
CREATE INDEX assertion_ids_expires_at ON assertion_ids (expires_at);
CREATE TABLE trusted_issuers (
  name ${t.bytewiseText} PRIMARY KEY,
  issuer TEXT NOT NULL,
  jwks_url TEXT,
  jwks TEXT,
  audience TEXT,
  algorithms TEXT NOT NULL,
  rules TEXT NOT NULL,
  subject_tokens INTEGER NOT NULL CHECK (subject_tokens IN (0, 1)),
  subject_scopes TEXT NOT NULL,
  allow_private_network INTEGER NOT NULL CHECK (allow_private_network IN (0, 1)),
  created_at ${t.int64} NOT NULL,
  updated_at ${t.int64} NOT NULL
);
`);

/**
 * What the cached credential lookups depend on (store.ts `changeStamp`): every write to these
 * tables, from any connection or process, bumps one counter. Audit appends, last-used touches and
 * assertion-id records do not: they are written all the time under load (the audit by its own
 * writer connection) and change nothing a cache holds. `api_keys` therefore counts updates of
 * every column but `last_used_at`.
 */
export const CHANGE_COUNTED: ReadonlyArray<{ table: string; updateOf?: string }> = [
  { table: 'agents' },
  { table: 'api_keys', updateOf: 'id, agent_id, hint, hash, scopes, created_at, expires_at, revoked_at, replaced_by' },
  { table: 'client_secrets' },
  { table: 'agent_keys' },
  { table: 'signing_keys' },
  { table: 'revoked_tokens' },
  { table: 'trusted_issuers' },
];

const changeCounter: Record<Dialect, string> = {
  // SQLite triggers are per row and per event.
  sqlite: `
CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO change_counter (id, n) VALUES (1, 0);
${CHANGE_COUNTED.flatMap(({ table, updateOf }) =>
    (['INSERT', 'UPDATE', 'DELETE'] as const).map(
      (event) => `CREATE TRIGGER ${table}_${event.toLowerCase()}_counted AFTER ${event}${event === 'UPDATE' && updateOf ? ` OF ${updateOf}` : ''} ON ${table} BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END;`,
    ),
  ).join('\n')}
`,
  // PostgreSQL offers no changeStamp (it cannot answer synchronously), but keeps the same schema:
  // one statement-level trigger per table and event.
  postgres: `
CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);
INSERT INTO change_counter (id, n) VALUES (1, 0);
-- search_path fixed at creation: the trigger finds this schema's counter whoever's session fires it.
CREATE FUNCTION gatehouse_count_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE change_counter SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END
$$;
${CHANGE_COUNTED.map(({ table, updateOf }) => `CREATE TRIGGER ${table}_counted AFTER INSERT OR UPDATE${updateOf ? ` OF ${updateOf}` : ''} OR DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_count_change();`).join('\n')}
`,
};

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'initial', sql: initial },
  { id: 2, name: 'audit head seal', sql: headSeal },
  { id: 3, name: 'oauth token service', sql: oauthTokenService },
  { id: 4, name: 'change counter', sql: changeCounter },
];

/** Records applied ids; created outside the numbered list because it must exist to read it. */
export const MIGRATIONS_TABLE_SQL: Record<Dialect, string> = both((t) => `
CREATE TABLE IF NOT EXISTS schema_migrations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at ${t.int64} NOT NULL
)`);

/**
 * The migrations still to apply, in order. Refuses to run against a database migrated by a newer
 * Gatehouse (an applied id this code does not know): the schema could be incompatible.
 */
export function pendingMigrations(applied: Iterable<number>, list: readonly Migration[] = MIGRATIONS): Migration[] {
  checkList(list);
  const known = new Set(list.map((m) => m.id));
  const done = new Set<number>();
  for (const id of applied) {
    if (!known.has(id)) {
      throw new GatehouseError('store_schema_newer', 500, `database has migration ${id}, which this version of Gatehouse does not know; upgrade Gatehouse`);
    }
    done.add(id);
  }
  return list.filter((m) => !done.has(m.id));
}

function checkList(list: readonly Migration[]): void {
  let prev = 0;
  for (const m of list) {
    if (!Number.isSafeInteger(m.id) || m.id <= prev) throw new Error(`migration ids must be increasing positive integers (at "${m.name}")`);
    prev = m.id;
  }
}
