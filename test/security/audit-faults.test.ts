import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { auditSealKey, hashRecord } from '../../src/core/hash-chain.ts';
import type { AuditEntry } from '../../src/core/types.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { attackConfig, bearer, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// SECURITY-CASES 40 (audit sink failing → refuse, lose nothing) and 41 (tampering is detected).

/** Waits for a condition the gateway reaches on its own timers; the bound only stops a hung test. */
async function until(what: string, cond: () => boolean, boundMs = 5_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('audit sink failing (case 40)', () => {
  let h: Harness;
  let reader: string;
  let writer: string;
  // The store's write is the fault-injection point: the queue above it is the code under test.
  let failing = false;
  before(async () => {
    h = await startHarness((u) => attackConfig(u), {
      auditSink: (core) => ({ appendAudit: (entries: readonly AuditEntry[]) => (failing ? Promise.reject(new Error('disk I/O error')) : core.store.appendAudit(entries)) }),
    });
    reader = (await h.agentWithKey('reader', { labels: ['reader'] })).key;
    writer = (await h.agentWithKey('writer', { labels: ['writer'] })).key;
  });
  after(() => h.close());

  const rows: { name: string; request: () => string }[] = [
    { name: 'reader GET that policy allows', request: () => rawGet('/api/tasks', [bearer(reader)]) },
    { name: 'writer POST that policy allows', request: () => rawGet('/api/tasks', [bearer(writer), 'Content-Length: 0'], 'POST') },
    { name: 'public route', request: () => rawGet('/public/info') },
  ];

  it('refuses every forwardable request with 503 while the store fails; afterwards nothing is lost', async () => {
    const before = await snapshot(h);
    failing = true;
    const requestIds: string[] = [];
    try {
      // The first request after the failure starts is served: its record is buffered, not lost
      // (checked below). The failed write is what tells the gateway to stop serving.
      const first = await rawExchange(h.gw.dataUrl, rawGet('/api/first', [bearer(reader)]));
      assert.equal(first.statuses[0], 200);
      requestIds.push(h.upstream.seen.at(-1)!.headers['x-gatehouse-request-id'] as string);
      await until('the audit queue reports the failing sink', () => !h.gw.audit.accepting());

      const seenWhileFailing = h.upstream.seen.length;
      for (const row of rows) {
        const r = await rawExchange(h.gw.dataUrl, row.request());
        assert.equal(r.statuses[0], 503, row.name);
        assert.match(r.text, /"code":"audit_unavailable"/, row.name);
        assert.equal(r.headers['retry-after'], '1');
        requestIds.push(r.headers['x-gatehouse-request-id']!);
      }
      assert.equal(h.upstream.seen.length, seenWhileFailing, 'the upstream saw nothing while the audit sink failed');
    } finally {
      failing = false;
    }

    // Recovery: the buffered records are written by the queue's own retry; then traffic flows again.
    const audit = await h.requestAudit();
    assert.equal(h.gw.audit.accepting(), true);
    const ok = await rawExchange(h.gw.dataUrl, rawGet('/api/after', [bearer(reader)]));
    assert.equal(ok.statuses[0], 200);

    for (const [i, id] of requestIds.entries()) {
      const recs = audit.filter((a) => a.requestId === id);
      assert.equal(recs.length, 1, `record for request ${i} written exactly once`);
      if (i === 0) assert.equal(recs[0]!.decision, 'allow');
      else {
        assert.equal(recs[0]!.decision, 'error');
        assert.ok(recs[0]!.reasons.includes('audit_unavailable'), JSON.stringify(recs[0]!.reasons));
      }
    }
    const fresh = audit.slice(before.audit);
    assert.equal(fresh.length, requestIds.length, 'no other record appeared and none is missing');
    assert.deepEqual(fresh.map((a) => a.requestId), requestIds, 'written in the order the requests arrived');
    assert.equal((await verifyAudit(h.core.store)).ok, true);
  });
});

describe('audit tampering is detected (case 41)', () => {
  let h: Harness;
  let db: DatabaseSync;
  let denySeq: number;
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    const reader = (await h.agentWithKey('reader', { labels: ['reader'] })).key;
    for (const target of ['/api/a', '/api/b', '/internal/c', '/api/d', '/api/e']) await rawExchange(h.gw.dataUrl, rawGet(target, [bearer(reader)]));
    const audit = await h.requestAudit();
    denySeq = audit.find((a) => a.decision === 'deny' && a.path === '/internal/c')!.seq;
    assert.equal((await verifyAudit(h.core.store)).ok, true, 'intact before tampering');
    db = new DatabaseSync(join(h.dir, 'gatehouse.db'));
  });
  after(async () => {
    db.close();
    await h.close();
  });

  const edits: { name: string; column: string; value: string | number }[] = [
    { name: 'deny rewritten as allow', column: 'decision', value: 'allow' },
    { name: 'reasons replaced', column: 'reasons', value: '["authenticated","policy_permit"]' },
    { name: 'agent renamed', column: 'agent_name', value: 'someone-else' },
    { name: 'path changed', column: 'path', value: '/api/c' },
    { name: 'time moved', column: 'time', value: 0 },
    { name: 'client address changed', column: 'client_address', value: '10.9.9.9' },
  ];
  for (const e of edits) {
    it(`${e.name}: verify names the record; restoring it makes the chain whole again`, async () => {
      const original = (db.prepare(`SELECT ${e.column} AS v FROM audit_log WHERE seq = ?`).get(denySeq) as { v: string | number | null }).v;
      db.prepare(`UPDATE audit_log SET ${e.column} = ? WHERE seq = ?`).run(e.value, denySeq);
      try {
        const v = await verifyAudit(h.core.store);
        assert.equal(v.ok, false);
        assert.ok(v.problems.some((p) => p.seq === denySeq && p.kind === 'edited'), JSON.stringify(v.problems));
      } finally {
        db.prepare(`UPDATE audit_log SET ${e.column} = ? WHERE seq = ?`).run(original, denySeq);
      }
      assert.equal((await verifyAudit(h.core.store)).ok, true);
    });
  }

  it('a rewrite with the chain and head recomputed (no server secret) verifies unkeyed, but fails the head seal', async () => {
    const tail = await h.core.store.scanAudit(denySeq - 1, 10_000);
    const head = (await h.core.store.getAuditHead())!;
    const sealKey = auditSealKey(h.core.secret.reveal());
    // What an attacker with write access to the database file can do: rewrite, then recompute every hash after it.
    let prev = tail[0]!.prevHash;
    for (const r of tail) {
      const forged = r.seq === denySeq ? { ...r, decision: 'allow' as const } : r;
      const hash = hashRecord(prev, r.seq, forged);
      db.prepare('UPDATE audit_log SET decision = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(forged.decision, prev, hash, r.seq);
      prev = hash;
    }
    db.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev);
    try {
      assert.equal((await verifyAudit(h.core.store)).ok, true, 'an unkeyed chain alone cannot tell');
      const v = await verifyAudit(h.core.store, { sealKey });
      assert.equal(v.ok, false);
      assert.deepEqual(v.problems.map((p) => p.kind), ['unsealed']);
      const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile(process.execPath, [join(process.cwd(), 'src/cli/main.ts'), '--config', h.configFile, 'audit', 'verify'], { env: { ...process.env, GATEHOUSE_SERVER_SECRET: '' } }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout }));
      });
      assert.equal(run.code, 1, run.stdout);
      assert.match(run.stdout, /unsealed/);
    } finally {
      for (const r of tail) db.prepare('UPDATE audit_log SET decision = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(r.decision, r.prevHash, r.hash, r.seq);
      db.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(head.hash);
    }
    assert.equal((await verifyAudit(h.core.store, { sealKey })).ok, true, 'restored: intact and sealed');
  });

  it('a deleted middle record is reported by seq, by verifyAudit and by `gatehouse audit verify` (exit 1)', async (t) => {
    const audit = await h.core.store.queryAudit({ limit: 10_000, order: 'asc' });
    const middle = audit[Math.floor(audit.length / 2)]!.seq;
    db.prepare('DELETE FROM audit_log WHERE seq = ?').run(middle);
    const v = await verifyAudit(h.core.store);
    assert.equal(v.ok, false);
    assert.ok(v.problems.some((p) => p.seq === middle && p.kind === 'missing'), JSON.stringify(v.problems));

    const cli = join(process.cwd(), 'src/cli/main.ts');
    if (!existsSync(cli)) {
      t.skip('src/cli/main.ts does not exist yet; the verifyAudit assertions above still ran');
      return;
    }
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      // Async, not spawnSync: the CLI reads the same database this process keeps serving from.
      execFile(process.execPath, [cli, '--config', h.configFile, 'audit', 'verify'], { env: { ...process.env, GATEHOUSE_SERVER_SECRET: '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }));
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, new RegExp(`#${middle}\\b.*missing`), run.stdout);
  });
});
