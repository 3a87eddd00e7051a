import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAudit } from '../audit/verify-audit.ts';
import { makeAgent, makeEntries, makeKey } from '../store/conformance/fixtures.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { SqliteReader } from './sqlite-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function seeded(name: string): Promise<{ path: string; store: SqliteStore }> {
  const path = join(dir, name);
  const store = new SqliteStore({ path });
  await store.migrate();
  const agent = makeAgent(1);
  await store.createAgent(agent);
  await store.insertApiKey(makeKey(agent.id, 1));
  await store.appendAudit(makeEntries(1, 3));
  return { path, store };
}

describe('SqliteReader: the doctor reads a store without changing it', () => {
  it('after a clean shutdown: reads everything, creates no -wal/-shm, leaves the file mode alone', async () => {
    const { path, store } = await seeded('closed.db');
    await store.close();
    chmodSync(path, 0o644); // the adapter would tighten this on open; the reader must not hide it
    const before = readdirSync(dir).filter((f) => f.startsWith('closed.db')).sort();
    const reader = new SqliteReader(path);
    try {
      assert.deepEqual((await reader.listAgents()).map((a) => a.name), [makeAgent(1).name]);
      assert.equal((await reader.listApiKeys()).length, 1);
      const v = await verifyAudit(reader);
      assert.deepEqual([v.ok, v.count], [true, 3]);
    } finally {
      await reader.close();
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('closed.db')).sort(), before);
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  it('while the gateway writes: sees commits made after it opened', async () => {
    const { path, store } = await seeded('live.db');
    assert.ok(existsSync(`${path}-wal`));
    const reader = new SqliteReader(path);
    try {
      await store.appendAudit(makeEntries(4, 2));
      assert.equal((await reader.getAuditHead())?.seq, 5);
      assert.equal((await verifyAudit(reader)).count, 5);
    } finally {
      await reader.close();
      await store.close();
    }
  });
});
