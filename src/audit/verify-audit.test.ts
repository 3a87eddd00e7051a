import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { chainEntries, hashRecord } from '../core/hash-chain.ts';
import type { ChainProblem } from '../core/hash-chain.ts';
import type { AuditRecord } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { MemoryAuditStore, sampleEntry } from './memory-audit-store.test-helper.ts';
import { verifyAudit } from './verify-audit.ts';
import { openStore } from '../store/open-store.ts';

async function filledStore(n: number): Promise<MemoryAuditStore> {
  const store = new MemoryAuditStore();
  // Several appends, so the chain crosses batch boundaries as it does in production.
  for (let i = 1; i <= n; i += 4) {
    await store.appendAudit(Array.from({ length: Math.min(4, n - i + 1) }, (_, k) => sampleEntry(i + k)));
  }
  return store;
}

const kinds = (problems: ChainProblem[]): Array<[string, number]> => problems.map((p) => [p.kind, p.seq]);

/** A self-consistent record for `seq` that links to `prevHash`: what a forger with SQL access writes. */
function forge(seq: number, prevHash: string): AuditRecord {
  const entry = sampleEntry(1000 + seq, { decision: 'deny', reasons: ['default_deny'], path: '/forged' });
  return { ...entry, seq, prevHash, hash: hashRecord(prevHash, seq, entry) };
}

test('an untouched log verifies, across pages', async () => {
  const store = await filledStore(10);
  for (const pageSize of [1, 3, 10, 1000]) {
    assert.deepEqual(await verifyAudit(store, { pageSize }), { ok: true, count: 10, problems: [] });
  }
});

test('an empty log verifies', async () => {
  assert.deepEqual(await verifyAudit(new MemoryAuditStore()), { ok: true, count: 0, problems: [] });
});

test('a record edited without rehashing is reported as edited at its seq', async () => {
  const store = await filledStore(10);
  (store.records[4] as AuditRecord).decision = 'allow';
  (store.records[4] as AuditRecord).path = '/admin/secrets';
  const r = await verifyAudit(store, { pageSize: 3 });
  assert.equal(r.ok, false);
  assert.deepEqual(kinds(r.problems), [['edited', 5]]);
});

test('a deleted middle record is reported as missing', async () => {
  const store = await filledStore(10);
  store.records.splice(4, 1);
  const r = await verifyAudit(store, { pageSize: 3 });
  assert.equal(r.ok, false);
  assert.equal(r.count, 9);
  assert.deepEqual(kinds(r.problems), [['missing', 5]]);
});

test('a forged record substituted into the chain breaks the next link', async () => {
  const store = await filledStore(10);
  store.records[4] = forge(5, store.records[3]?.hash as string);
  const r = await verifyAudit(store);
  assert.deepEqual(kinds(r.problems), [['inserted', 6]]);
});

test('a record inserted twice under one seq is reported', async () => {
  const store = await filledStore(6);
  store.records.splice(3, 0, forge(3, store.records[1]?.hash as string));
  const r = await verifyAudit(store);
  assert.equal(r.ok, false);
  assert.ok(r.problems.some((p) => p.kind === 'inserted' && p.seq <= 4), JSON.stringify(r.problems));
});

test('a forged record appended without moving the head is reported', async () => {
  const store = await filledStore(5);
  const [extra] = chainEntries(store.head, [sampleEntry(99)]);
  store.records.push(extra as AuditRecord);
  const r = await verifyAudit(store);
  assert.deepEqual(kinds(r.problems), [['inserted', 6]]);
});

test('a truncated tail (head beyond the last record) is reported', async () => {
  const store = await filledStore(10);
  store.records.splice(8);
  const r = await verifyAudit(store, { pageSize: 4 });
  assert.deepEqual(kinds(r.problems), [['truncated', 9]]);
});

test('a deleted head or a head that does not match the last record is reported', async () => {
  const noHead = await filledStore(3);
  noHead.head = undefined;
  assert.deepEqual(kinds((await verifyAudit(noHead)).problems), [['missing', 3]]);
  const wrongHead = await filledStore(3);
  wrongHead.head = { seq: 3, hash: 'f'.repeat(64) };
  assert.deepEqual(kinds((await verifyAudit(wrongHead)).problems), [['edited', 3]]);
});

test('records appended while verifying are not mistaken for tampering', async () => {
  const store = await filledStore(6);
  let scans = 0;
  let headReads = 0;
  // The gateway keeps writing: during the scan, and again after its last page was read.
  const live: Pick<Store, 'scanAudit' | 'getAuditHead'> = {
    getAuditHead: async () => {
      if (++headReads === 2) await store.appendAudit([sampleEntry(200)]);
      return store.getAuditHead();
    },
    scanAudit: async (afterSeq, limit) => {
      if (++scans <= 2) await store.appendAudit([sampleEntry(100 + scans)]);
      return store.scanAudit(afterSeq, limit);
    },
  };
  const r = await verifyAudit(live, { pageSize: 2 });
  assert.deepEqual(r, { ok: true, count: 8, problems: [] });
  assert.equal(store.head?.seq, 9);
});

// ---- The same tamperings against the real SQLite file store, through raw SQL. ----


async function sqliteCase(t: { after: (fn: () => unknown) => void }, n: number): Promise<{ store: Store; raw: DatabaseSync }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
  const store = await openStore(`sqlite:${join(dir, 'gatehouse.db')}`);
  for (let i = 1; i <= n; i += 4) {
    await store.appendAudit(Array.from({ length: Math.min(4, n - i + 1) }, (_, k) => sampleEntry(i + k)));
  }
  // A second connection on the same file: what an attacker with file access would use.
  const raw = new DatabaseSync(join(dir, 'gatehouse.db'));
  t.after(async () => {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, raw };
}

const INSERT_AUDIT = `INSERT INTO audit_log (seq, time, kind, request_id, agent_id, agent_name, credential_id, client_address,
  method, path, route_id, decision, reasons, upstream_status, latency_ms, action, actor, details, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function rawInsert(raw: DatabaseSync, r: AuditRecord): void {
  raw.prepare(INSERT_AUDIT).run(r.seq, r.time, r.kind, r.requestId, r.agentId, r.agentName, r.credentialId, r.clientAddress,
    r.method, r.path, r.routeId, r.decision, JSON.stringify(r.reasons), r.upstreamStatus, r.latencyMs, r.action, r.actor,
    r.details === null ? null : JSON.stringify(r.details), r.prevHash, r.hash);
}

test('SQLite store: tampering through raw SQL is detected', async (t) => {

  await t.test('untouched', async (t) => {
    const { store } = await sqliteCase(t, 10);
    assert.deepEqual(await verifyAudit(store, { pageSize: 3 }), { ok: true, count: 10, problems: [] });
  });

  await t.test('edited field', async (t) => {
    const { store, raw } = await sqliteCase(t, 10);
    raw.prepare("UPDATE audit_log SET decision = 'allow', path = '/admin' WHERE seq = 5").run();
    assert.deepEqual(kinds((await verifyAudit(store, { pageSize: 3 })).problems), [['edited', 5]]);
  });

  await t.test('deleted middle record', async (t) => {
    const { store, raw } = await sqliteCase(t, 10);
    raw.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    assert.deepEqual(kinds((await verifyAudit(store, { pageSize: 3 })).problems), [['missing', 5]]);
  });

  await t.test('forged record substituted', async (t) => {
    const { store, raw } = await sqliteCase(t, 10);
    const [prev] = await store.scanAudit(3, 1);
    raw.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    rawInsert(raw, forge(5, prev?.hash as string));
    assert.deepEqual(kinds((await verifyAudit(store)).problems), [['inserted', 6]]);
  });

  await t.test('forged record appended without the head', async (t) => {
    const { store, raw } = await sqliteCase(t, 5);
    const [extra] = chainEntries(await store.getAuditHead(), [sampleEntry(99)]);
    rawInsert(raw, extra as AuditRecord);
    assert.deepEqual(kinds((await verifyAudit(store)).problems), [['inserted', 6]]);
  });

  await t.test('truncated tail', async (t) => {
    const { store, raw } = await sqliteCase(t, 10);
    raw.prepare('DELETE FROM audit_log WHERE seq > 8').run();
    assert.deepEqual(kinds((await verifyAudit(store, { pageSize: 4 })).problems), [['truncated', 9]]);
  });

  await t.test('head deleted', async (t) => {
    const { store, raw } = await sqliteCase(t, 3);
    raw.prepare('DELETE FROM audit_head').run();
    assert.deepEqual(kinds((await verifyAudit(store)).problems), [['missing', 3]]);
  });
});
