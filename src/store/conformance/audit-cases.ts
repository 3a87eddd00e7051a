import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChainVerifier, GENESIS_HASH } from '../../core/hash-chain.ts';
import type { AuditRecord } from '../../core/types.ts';
import type { Store } from '../store.ts';
import { makeEntries, makeEntry, withStore, type StoreFactory } from './fixtures.ts';

/** Reads the whole log through scanAudit in small pages and verifies it against the stored head. */
export async function verifyStoredChain(store: Store, pageSize = 7): Promise<{ count: number; records: AuditRecord[] }> {
  const verifier = new ChainVerifier();
  const records: AuditRecord[] = [];
  for (let page = await store.scanAudit(0, pageSize); page.length > 0; page = await store.scanAudit(page.at(-1)?.seq ?? 0, pageSize)) {
    for (const rec of page) verifier.push(rec);
    records.push(...page);
  }
  assert.deepEqual(verifier.finish(await store.getAuditHead()), [], 'the stored chain verifies');
  return { count: verifier.count, records };
}

const seqs = (records: readonly AuditRecord[]): number[] => records.map((r) => r.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The audit log: seq and chain assignment, head, queries, paging, atomicity, concurrency. */
export function auditCases(factory: StoreFactory): void {
  describe('audit log', () => {
    test('appendAudit assigns contiguous seq from 1, links each hash, and stores exactly what it returns', () =>
      withStore(factory, async (store) => {
        assert.equal(await store.getAuditHead(), undefined);
        const first = await store.appendAudit(makeEntries(1, 3));
        assert.deepEqual(seqs(first), [1, 2, 3]);
        assert.equal(first[0]?.prevHash, GENESIS_HASH);
        assert.equal(first[1]?.prevHash, first[0]?.hash);
        const second = await store.appendAudit(makeEntries(4, 2));
        assert.deepEqual(seqs(second), [4, 5]);
        assert.equal(second[0]?.prevHash, first[2]?.hash);
        assert.deepEqual(await store.getAuditHead(), { seq: 5, hash: second[1]?.hash, seal: null });
        const { records } = await verifyStoredChain(store);
        assert.deepEqual(records, [...first, ...second]);
      }));

    test('an empty append stores nothing and leaves the head alone', () =>
      withStore(factory, async (store) => {
        assert.deepEqual(await store.appendAudit([]), []);
        assert.equal(await store.getAuditHead(), undefined);
        const [rec] = await store.appendAudit([makeEntry(1)]);
        assert.deepEqual(await store.appendAudit([]), []);
        assert.deepEqual(await store.getAuditHead(), { seq: 1, hash: rec?.hash, seal: null });
      }));

    test('every field round-trips: nulls, reasons, nested details, unicode, fractional latency', () =>
      withStore(factory, async (store) => {
        const admin = makeEntry(1, {
          kind: 'admin', agentId: null, agentName: null, credentialId: null, clientAddress: '::1', method: null, path: null,
          routeId: null, decision: 'deny', reasons: ['policy_forbid', 'policy:no-deletes'], upstreamStatus: null, latencyMs: 0.125,
          action: 'agent.create', actor: 'admin@ops', details: { name: 'ågent-☃', nested: { list: [1, 'two', null, { z: true, a: false }] }, n: -0.5 },
        });
        const [stored] = await store.appendAudit([admin, makeEntry(2, { kind: 'security', decision: 'error', reasons: [] })]);
        assert.deepEqual(stored, { ...admin, seq: 1, prevHash: GENESIS_HASH, hash: stored?.hash });
        assert.deepEqual((await store.scanAudit(0, 10))[0], stored);
        await verifyStoredChain(store);
      }));

    test('what is hashed is what is stored, even for details JSON cannot hold exactly', () =>
      withStore(factory, async (store) => {
        const [rec] = await store.appendAudit([makeEntry(1, { details: { at: new Date(0), gone: undefined, list: [undefined] } })]);
        assert.deepEqual(rec?.details, { at: '1970-01-01T00:00:00.000Z', list: [null] });
        await verifyStoredChain(store);
      }));

    test('a batch larger than one INSERT statement holds is stored whole', () =>
      withStore(factory, async (store) => {
        const recs = await store.appendAudit(makeEntries(1, 1201));
        assert.deepEqual(seqs(recs), range(1, 1201));
        assert.equal((await verifyStoredChain(store, 500)).count, 1201);
      }));

    test('a batch that fails part-way stores nothing (atomic)', () =>
      withStore(factory, async (store) => {
        await store.appendAudit(makeEntries(1, 2));
        const bad = makeEntry(4, { latencyMs: Number.NaN }); // cannot be hashed canonically
        await assert.rejects(store.appendAudit([makeEntry(3), bad]));
        assert.equal((await store.getAuditHead())?.seq, 2);
        assert.equal((await verifyStoredChain(store)).count, 2);
        assert.deepEqual(seqs(await store.appendAudit([makeEntry(5)])), [3]);
      }));

    test('queryAudit filters by agent id or name, decision, kind and afterSeq; orders and limits', () =>
      withStore(factory, async (store) => {
        await store.appendAudit([
          makeEntry(1, { agentId: 'agt_a', agentName: 'alpha' }),
          makeEntry(2, { agentId: 'agt_b', agentName: 'bravo', decision: 'deny', reasons: ['default_deny'] }),
          makeEntry(3, { agentId: null, agentName: 'alpha', decision: 'deny', kind: 'security' }),
          makeEntry(4, { agentId: 'agt_a', agentName: 'alpha', kind: 'admin', decision: 'error' }),
          makeEntry(5, { agentId: null, agentName: null }),
        ]);
        const q = async (extra: Partial<Parameters<Store['queryAudit']>[0]>): Promise<number[]> =>
          seqs(await store.queryAudit({ limit: 100, order: 'asc', ...extra }));
        assert.deepEqual(await q({}), [1, 2, 3, 4, 5]);
        assert.deepEqual(await q({ order: 'desc' }), [5, 4, 3, 2, 1]);
        assert.deepEqual(await q({ agent: 'agt_a' }), [1, 4]);
        assert.deepEqual(await q({ agent: 'alpha' }), [1, 3, 4]);
        assert.deepEqual(await q({ agent: 'nobody' }), []);
        assert.deepEqual(await q({ decision: 'deny' }), [2, 3]);
        assert.deepEqual(await q({ kind: 'admin' }), [4]);
        assert.deepEqual(await q({ afterSeq: 3 }), [4, 5]);
        assert.deepEqual(await q({ afterSeq: 1, agent: 'alpha', decision: 'deny', kind: 'security' }), [3]);
        assert.deepEqual(await q({ limit: 2 }), [1, 2]);
        assert.deepEqual(await q({ limit: 2, order: 'desc' }), [5, 4]);
        assert.deepEqual(await q({ limit: 2, order: 'desc', afterSeq: 1, agent: 'alpha' }), [4, 3]);
        await assert.rejects(store.queryAudit({ limit: 0, order: 'asc' }), { code: 'limit_invalid' });
      }));

    test('scanAudit pages through the log in seq order', () =>
      withStore(factory, async (store) => {
        await store.appendAudit(makeEntries(1, 25));
        assert.deepEqual(seqs(await store.scanAudit(0, 10)), range(1, 10));
        assert.deepEqual(seqs(await store.scanAudit(20, 10)), range(21, 25));
        assert.deepEqual(await store.scanAudit(25, 10), []);
        assert.equal((await verifyStoredChain(store, 10)).count, 25);
        await assert.rejects(store.scanAudit(0, -1), { code: 'limit_invalid' });
      }));

    test('concurrent appends, from one handle and from two, still form one contiguous valid chain', () =>
      withStore(factory, async (store, harness) => {
        const other = await harness.reopen();
        try {
          const batches = Array.from({ length: 12 }, (_, i) => makeEntries(i * 10, 1 + (i % 4)));
          const results = await Promise.all(batches.map((b, i) => (i % 2 === 0 ? store : other).appendAudit(b)));
          const total = batches.reduce((n, b) => n + b.length, 0);
          results.forEach((recs, i) => {
            assert.equal(recs.length, batches[i]?.length);
            recs.forEach((r, j) => j > 0 && assert.equal(r.seq, (recs[j - 1]?.seq ?? 0) + 1, 'a batch is contiguous'));
          });
          assert.deepEqual(seqs(results.flat()).sort((a, b) => a - b), range(1, total));
          assert.equal((await verifyStoredChain(other)).count, total);
          assert.equal((await store.getAuditHead())?.seq, total);
        } finally {
          await other.close();
        }
      }));
  });
}
