import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { CHANGE_COUNTED, MIGRATIONS, pendingMigrations, type Migration } from './migrations.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { serviceSkipReason, testServiceUrl } from './service-availability.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const initial = MIGRATIONS[0] as Migration;
// No IF NOT EXISTS: running this twice fails, so a test passing proves it ran once.
const extra: Migration = { id: 2, name: 'extra', sql: { sqlite: 'CREATE TABLE extra (a TEXT)', postgres: 'CREATE TABLE extra (a TEXT)' } };
const broken: Migration = {
  id: 2, name: 'broken',
  sql: { sqlite: 'CREATE TABLE half (a TEXT); INSERT INTO no_such_table VALUES (1)', postgres: 'CREATE TABLE half (a TEXT); INSERT INTO no_such_table VALUES (1)' },
};

describe('pendingMigrations', () => {
  test('returns the unapplied migrations in order', () => {
    const list = [initial, extra];
    assert.deepEqual(pendingMigrations([], list), list);
    assert.deepEqual(pendingMigrations([1], list), [extra]);
    assert.deepEqual(pendingMigrations([2, 1], list), []);
  });

  test('refuses a database migrated by a newer version', () => {
    assert.throws(() => pendingMigrations([1, 7], [initial]), { code: 'store_schema_newer', message: /migration 7/ });
  });

  test('rejects a list whose ids do not increase', () => {
    assert.throws(() => pendingMigrations([], [extra, initial]), /increasing/);
    assert.throws(() => pendingMigrations([], [initial, { ...extra, id: 1 }]), /increasing/);
  });
});

const pgSkip = await serviceSkipReason('postgres');
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrations-'));
const schemas: string[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (schemas.length > 0) await pgQuery(schemas.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`).join('; '));
});

async function pgQuery(text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: testServiceUrl('postgres') });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Each call names a fresh database; `open` opens it with a given migration list. */
const adapters: Array<{ name: string; skip: string | false; fresh(): (list: readonly Migration[]) => Store }> = [
  {
    name: 'sqlite', skip: false,
    fresh: () => {
      const path = join(dir, `${randomBytes(4).toString('hex')}.db`);
      return (migrations) => new SqliteStore({ path, migrations });
    },
  },
  {
    name: 'postgres', skip: pgSkip,
    fresh: () => {
      const schema = `gh_mig_${process.pid}_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return (migrations) => new PostgresStore({ url: testServiceUrl('postgres'), schema, migrations });
    },
  },
];

async function migrated(open: (list: readonly Migration[]) => Store, list: readonly Migration[]): Promise<Store> {
  const store = open(list);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

for (const adapter of adapters) {
  describe(`migrate() on ${adapter.name}`, { skip: adapter.skip }, () => {
    test('applies only migrations it has not applied before', async () => {
      const open = adapter.fresh();
      await (await migrated(open, [initial])).close();
      const upgraded = await migrated(open, [initial, extra]);
      await upgraded.migrate();
      await upgraded.close();
      await (await migrated(open, [initial, extra])).close();
    });

    test('an older Gatehouse refuses a database a newer one migrated', async () => {
      const open = adapter.fresh();
      await (await migrated(open, [initial, extra])).close();
      await assert.rejects(migrated(open, [initial]), { code: 'store_schema_newer' });
    });

    test('a failing migration leaves no trace, and the fixed one applies later', async () => {
      const open = adapter.fresh();
      await (await migrated(open, [initial])).close();
      await assert.rejects(migrated(open, [initial, broken]));
      // Creating `half` again only works if the failed attempt's CREATE TABLE was rolled back.
      const fixed = await migrated(open, [initial, { ...broken, sql: { sqlite: 'CREATE TABLE half (a TEXT)', postgres: 'CREATE TABLE half (a TEXT)' } }]);
      await fixed.close();
    });
  });
}

describe('schema shape', { skip: pgSkip }, () => {
  test('SQLite and PostgreSQL end up with the same tables, columns and nullability', async () => {
    const path = join(dir, 'shape.db');
    await (await migrated(() => new SqliteStore({ path }), MIGRATIONS)).close();
    const schema = `gh_shape_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    await (await migrated(() => new PostgresStore({ url: testServiceUrl('postgres'), schema }), MIGRATIONS)).close();

    const db = new DatabaseSync(path, { readOnly: true });
    const lite: string[] = [];
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => String(r.name));
      for (const t of tables) {
        for (const c of db.prepare('SELECT name, "notnull", pk FROM pragma_table_info(?)').all(t)) {
          lite.push(`${t}.${String(c.name)} ${c.notnull || c.pk ? 'NOT NULL' : 'NULL'}`);
        }
      }
    } finally {
      db.close();
    }
    const rows = await pgQuery('SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = $1', [schema]);
    const post = rows.map((r) => `${String(r.table_name)}.${String(r.column_name)} ${r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`);
    assert.deepEqual(post.sort(), lite.sort());
  });
});

describe('the change counter (migration 4) covers every table a cached lookup depends on', () => {
  // Tables whose writes no cache depends on, and why. A new table must land in CHANGE_COUNTED or here.
  const NOT_COUNTED: Record<string, string> = {
    audit_log: 'appended all the time; nothing cached reads it',
    audit_head: 'the chain head, moved by every audit append',
    assertion_ids: 'single-use jti records, checked in the store itself',
    settings: 'the admin token hash and seal keys, read uncached',
    schema_migrations: 'migration bookkeeping',
    change_counter: 'the counter itself',
  };

  test('every table is either counted or listed as not counted, and api_keys counts every column but last_used_at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-counter-'));
    try {
      const store = new SqliteStore({ path: join(dir, 'gh.db') });
      await store.migrate();
      await store.close();
      const db = new DatabaseSync(join(dir, 'gh.db'), { readOnly: true });
      try {
        const names = (sql: string): string[] => (db.prepare(sql).all() as Array<{ name: string }>).map((r) => r.name);
        const tables = names("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        const counted = new Set(CHANGE_COUNTED.map((c) => c.table));
        for (const t of tables) assert.ok(counted.has(t) || t in NOT_COUNTED, `table ${t} is neither counted nor listed as not counted`);
        for (const t of counted) assert.ok(tables.includes(t), `counted table ${t} does not exist`);
        // A column added to api_keys later must be counted too (a new migration recreates the trigger).
        const updateOf = CHANGE_COUNTED.find((c) => c.table === 'api_keys')!.updateOf!.split(',').map((c) => c.trim());
        assert.deepEqual([...updateOf].sort(), names("SELECT name FROM pragma_table_info('api_keys')").filter((c) => c !== 'last_used_at').sort());
        assert.deepEqual(CHANGE_COUNTED.filter((c) => c.updateOf !== undefined).map((c) => c.table), ['api_keys'], 'every other table counts updates of any column');
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
