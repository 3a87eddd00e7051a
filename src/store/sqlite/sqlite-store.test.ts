import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { makeEntries } from '../conformance/fixtures.ts';
import { openStore } from '../open-store.ts';
import { runStoreConformance, verifyStoredChain, type StoreHarness } from '../store-conformance.ts';
import type { Store } from '../store.ts';
import { SqliteStore, sqlitePlaceholders } from './sqlite-store.ts';

/** A migrated store on a file in a fresh temp dir (in a not-yet-existing subdirectory). */
async function fileHarness(): Promise<StoreHarness & { dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
  const path = join(dir, 'data', 'gatehouse.db');
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStore(`sqlite:${path}`);
    opened.push(store);
    return store;
  };
  return {
    dir, path, store: await open(), reopen: open,
    async cleanup() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mode = (file: string): number => statSync(file).mode & 0o777;

runStoreConformance('sqlite (file)', fileHarness);

describe('sqlitePlaceholders', () => {
  test('binds by position with plain ? only when $1..$n come in order, each once; keeps numbers otherwise', () => {
    const cases: Array<[string, string]> = [
      ['SELECT 1', 'SELECT 1'],
      ['INSERT INTO t (a, b, c) VALUES ($1, $2, $3)', 'INSERT INTO t (a, b, c) VALUES (?, ?, ?)'],
      ['INSERT INTO t VALUES ($1, $2), ($3, $4)', 'INSERT INTO t VALUES (?, ?), (?, ?)'],
      ['UPDATE t SET a = $2 WHERE id = $1', 'UPDATE t SET a = ?2 WHERE id = ?1'],
      ['SELECT * FROM t WHERE a = $1 OR b = $1', 'SELECT * FROM t WHERE a = ?1 OR b = ?1'],
      ['SELECT * FROM t WHERE a = $2', 'SELECT * FROM t WHERE a = ?2'],
      ['SELECT $1, $2, $10', 'SELECT ?1, ?2, ?10'],
    ];
    for (const [sql, want] of cases) assert.equal(sqlitePlaceholders(sql), want, sql);
  });

  test('both forms bind the same values in node:sqlite', () => {
    const db = new DatabaseSync(':memory:');
    try {
      for (const sql of ['SELECT $1 AS a, $2 AS b', 'SELECT $2 AS b, $1 AS a']) {
        const row = db.prepare(sqlitePlaceholders(sql)).get('x', 'y') as { a: string; b: string };
        assert.deepEqual({ a: row.a, b: row.b }, { a: 'x', b: 'y' }, sql);
      }
    } finally {
      db.close();
    }
  });
});

describe('SqliteStore files and pragmas', () => {
  test('creates its directory 0700 and the database, -wal and -shm files 0600', async () => {
    const h = await fileHarness();
    try {
      await h.store.appendAudit(makeEntries(1, 2)); // a write, so the WAL files exist
      assert.equal(mode(join(h.dir, 'data')), 0o700);
      for (const file of [h.path, `${h.path}-wal`, `${h.path}-shm`]) {
        assert.ok(existsSync(file), `${file} exists`);
        assert.equal(mode(file), 0o600, `${file} is owner-only`);
      }
    } finally {
      await h.cleanup();
    }
  });

  test('tightens an existing world-readable database file to 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    try {
      const path = join(dir, 'old.db');
      writeFileSync(path, '');
      chmodSync(path, 0o644);
      const store = new SqliteStore({ path });
      await store.migrate();
      await store.close();
      assert.equal(mode(path), 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the database is in WAL mode with foreign keys enforced', async () => {
    const h = await fileHarness();
    try {
      const peek = new DatabaseSync(h.path, { readOnly: true });
      try {
        assert.equal(peek.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
      } finally {
        peek.close();
      }
      await assert.rejects(h.store.insertApiKey({
        id: 'key_x', agentId: 'agt_none', hint: 'x', hash: 'f'.repeat(64), scopes: [], createdAt: 0, expiresAt: 1,
        lastUsedAt: null, revokedAt: null, replacedBy: null,
      }), { code: 'agent_not_found' });
    } finally {
      await h.cleanup();
    }
  });

  test('sqlite::memory: works for tests and needs no file', async () => {
    const store = await openStore('sqlite::memory:');
    try {
      await store.appendAudit(makeEntries(1, 3));
      assert.equal((await verifyStoredChain(store)).count, 3);
    } finally {
      await store.close();
    }
  });
});

// Each worker thread has its own connection and blocks synchronously inside SQLite, as a second
// process would, so this exercises BEGIN IMMEDIATE + busy_timeout rather than the event loop.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { openStore } = await import(workerData.openStoreUrl);
  const { makeEntries } = await import(workerData.fixturesUrl);
  const store = await openStore('sqlite:' + workerData.path);
  // A barrier: nobody appends until every worker has opened, so the appends really overlap.
  Atomics.add(workerData.ready, 0, 1);
  while (Atomics.load(workerData.ready, 0) < workerData.workers) Atomics.wait(workerData.ready, 0, Atomics.load(workerData.ready, 0), 5);
  for (let i = 0; i < workerData.batches; i++) await store.appendAudit(makeEntries(workerData.base + i * 10, 3));
  await store.close();
  parentPort.postMessage('done');
})().catch((err) => { throw err; });
`;

describe('SqliteStore across threads', () => {
  test('concurrent migrate and appendAudit from several connections keep one contiguous chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    const path = join(dir, 'shared.db');
    try {
      const ready = new Int32Array(new SharedArrayBuffer(4));
      const bases = [0, 1000, 2000];
      const batches = 40;
      const workerData = (base: number) => ({
        path, base, batches, ready, workers: bases.length,
        openStoreUrl: new URL('../open-store.ts', import.meta.url).href,
        fixturesUrl: new URL('../conformance/fixtures.ts', import.meta.url).href,
      });
      await Promise.all(bases.map((base) => new Promise<void>((resolve, reject) => {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: workerData(base) });
        w.once('message', () => resolve());
        w.once('error', reject);
        w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
      })));
      const store = await openStore(`sqlite:${path}`);
      try {
        assert.equal((await verifyStoredChain(store)).count, bases.length * batches * 3);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
