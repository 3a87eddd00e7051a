import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { MIGRATIONS } from '../migrations.ts';
import { openStore } from '../open-store.ts';
import { serviceSkipReason, testServiceUrl } from '../service-availability.ts';
import { runStoreConformance, type StoreHarness } from '../store-conformance.ts';
import type { Store } from '../store.ts';
import { PostgresStore } from './postgres-store.ts';

const skip = await serviceSkipReason('postgres');
const baseUrl = testServiceUrl('postgres');

/** A schema no other run uses, so parallel test runs never see each other's tables. */
const uniqueSchema = (): string => `gh_test_${process.pid}_${randomBytes(4).toString('hex')}`;

function urlWithSchema(schema: string): string {
  const u = new URL(baseUrl);
  u.searchParams.set('schema', schema);
  return u.toString();
}

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string): Promise<unknown> => sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);

async function schemaHarness(): Promise<StoreHarness> {
  const schema = uniqueSchema();
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStore(urlWithSchema(schema));
    opened.push(store);
    return store;
  };
  return {
    store: await open(), reopen: open,
    async cleanup() {
      for (const s of opened) await s.close();
      await dropSchema(schema);
    },
  };
}

runStoreConformance('postgres', schemaHarness, { skip });

describe('PostgresStore specifics', { skip }, () => {
  test('two instances migrating a fresh schema at once both succeed and apply each migration once', async () => {
    const schema = uniqueSchema();
    const stores = [0, 1, 2].map(() => new PostgresStore({ url: baseUrl, schema }));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const rows = await sql<{ id: number }>(`SELECT id FROM "${schema}".schema_migrations ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.id), MIGRATIONS.map((m) => m.id));
      const tables = await sql<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
      assert.deepEqual(tables.map((t) => t.table_name), [
        'agent_keys', 'agents', 'api_keys', 'assertion_ids', 'audit_head', 'audit_log', 'change_counter', 'client_secrets', 'revoked_tokens', 'schema_migrations',
        'settings', 'signing_keys', 'trusted_issuers',
      ]);
    } finally {
      for (const s of stores) await s.close();
      await dropSchema(schema);
    }
  });

  test('times come back as JS numbers, not BIGINT strings', async () => {
    const h = await schemaHarness();
    try {
      const [rec] = await h.store.appendAudit([{
        time: 1_767_225_600_123, kind: 'request', requestId: 'r', agentId: null, agentName: null, credentialId: null,
        clientAddress: null, method: null, path: null, routeId: null, decision: 'allow', reasons: [], upstreamStatus: null,
        latencyMs: null, action: null, actor: null, details: null,
      }]);
      const [stored] = await h.store.scanAudit(0, 1);
      assert.equal(typeof stored?.time, 'number');
      assert.equal(typeof stored?.seq, 'number');
      assert.deepEqual(stored, rec);
    } finally {
      await h.cleanup();
    }
  });

  test('a schema name that is not a plain lowercase identifier is a config error', () => {
    assert.throws(() => new PostgresStore({ url: baseUrl, schema: 'x"; DROP TABLE agents; --' }), { code: 'config_invalid', message: /store\.url/ });
  });
});
