import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/open-store.ts';
import { StoreWriterThread } from './store-writer-thread.ts';
import { AuditQueue } from './audit-queue.ts';
import { verifyAudit } from './verify-audit.ts';
import { sampleEntry } from './memory-audit-store.test-helper.ts';

describe('StoreWriterThread (background writes on their own thread and connection)', () => {
  it('writes batches that interleave correctly with writes from the main connection', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-worker-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const url = `sqlite:${join(dir, 'gh.db')}`;
    const main = await openStore(url);
    const sink = new StoreWriterThread({ url, baseDir: dir });
    await sink.start();
    const queue = new AuditQueue(sink, { queueSize: 100, batchSize: 7, flushIntervalMs: 1 });
    for (let i = 1; i <= 40; i++) {
      queue.enqueue(sampleEntry(i));
      if (i % 10 === 0) await main.appendAudit([sampleEntry(1000 + i)]); // e.g. admin changes
    }
    await queue.close();
    await sink.close();
    const v = await verifyAudit(main);
    assert.deepEqual(v, { ok: true, count: 44, problems: [] });
    const ids = (await main.scanAudit(0, 100)).map((r) => r.requestId);
    for (let i = 1; i <= 40; i++) assert.equal(ids.filter((id) => id === `req_${i}`).length, 1, `req_${i} written once`);
    assert.deepEqual(ids.filter((id) => /^req_10[1-4]0$/.test(id)).sort(), ['req_1010', 'req_1020', 'req_1030', 'req_1040']);
    await main.close();
  });

  it('a store the thread cannot open fails at start, not at the first request', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-worker-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'a-file'), '');
    const sink = new StoreWriterThread({ url: `sqlite:${join(dir, 'a-file', 'gh.db')}`, baseDir: dir }); // ENOTDIR
    await assert.rejects(sink.start());
    await sink.close();
  });
});
