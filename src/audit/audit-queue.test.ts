import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditQueue } from './audit-queue.ts';
import type { AuditQueueOptions, QueueTimers } from './audit-queue.ts';
import { MemoryAuditStore, sampleEntry } from './memory-audit-store.test-helper.ts';
import { verifyAudit } from './verify-audit.ts';
import { openStore } from '../store/open-store.ts';

/** Timers that only run when the test fires them. */
class ManualTimers implements QueueTimers {
  pending: Array<{ id: number; fn: () => void; ms: number }> = [];
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.push({ id, fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  /** Runs the oldest pending timer and returns its delay. */
  fire(): number {
    const t = this.pending.shift();
    assert.ok(t, 'expected a pending timer');
    t.fn();
    return t.ms;
  }
}

/** Lets pending promise callbacks (the fake store's writes) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(opts: Partial<AuditQueueOptions> = {}) {
  const store = new MemoryAuditStore();
  const timers = new ManualTimers();
  const errors: unknown[] = [];
  const depths: number[] = [];
  const queue = new AuditQueue(store, {
    queueSize: 10,
    batchSize: 3,
    flushIntervalMs: 25,
    timers,
    onError: (e) => errors.push(e),
    onDepth: (n) => depths.push(n),
    ...opts,
  });
  return { store, timers, errors, depths, queue };
}

const requestIds = (store: MemoryAuditStore): string[] => store.records.map((r) => r.requestId);

test('flush writes in batches of at most batchSize, in order, chained', async () => {
  const { store, queue } = setup({ batchSize: 3, queueSize: 100 });
  for (let i = 1; i <= 7; i++) assert.equal(queue.enqueue(sampleEntry(i)), true);
  await queue.flush();
  assert.deepEqual(store.calls, [3, 3, 1]);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4', 'req_5', 'req_6', 'req_7']);
  assert.deepEqual(store.records.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(queue.depth, 0);
  assert.equal((await verifyAudit(store)).ok, true);
});

test('a full batch is written at once; a partial one after flushIntervalMs', async () => {
  const { store, timers, queue } = setup({ batchSize: 3 });
  queue.enqueue(sampleEntry(1));
  queue.enqueue(sampleEntry(2));
  assert.deepEqual(store.calls, [], 'partial batch waits');
  assert.deepEqual(timers.pending.map((t) => t.ms), [25]);
  queue.enqueue(sampleEntry(3));
  assert.deepEqual(store.calls, [3], 'batchSize reached: written without waiting for the timer');
  assert.equal(timers.pending.length, 0, 'interval timer cancelled');
  await settle();
  queue.enqueue(sampleEntry(4));
  assert.deepEqual(store.calls, [3]);
  assert.equal(timers.fire(), 25);
  await settle();
  assert.deepEqual(store.calls, [3, 1]);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4']);
});

test('one write in flight at a time; entries arriving meanwhile follow in order', async () => {
  const { store, queue } = setup({ batchSize: 2 });
  store.gate();
  queue.enqueue(sampleEntry(1));
  queue.enqueue(sampleEntry(2));
  queue.enqueue(sampleEntry(3));
  queue.enqueue(sampleEntry(4));
  await settle();
  assert.equal(store.pendingAppends, 1, 'second batch waits for the first');
  assert.equal(queue.depth, 4, 'entries in flight still count');
  store.release();
  await settle();
  assert.deepEqual(store.calls, [2, 2]);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4']);
  assert.equal(queue.depth, 0);
});

test('accepting() turns false at queueSize; entries beyond 2 × queueSize are dropped and reported', async () => {
  const { store, errors, queue } = setup({ queueSize: 3, batchSize: 100 });
  store.gate();
  for (let i = 1; i <= 2; i++) queue.enqueue(sampleEntry(i));
  assert.equal(queue.accepting(), true);
  queue.enqueue(sampleEntry(3));
  assert.equal(queue.accepting(), false, 'depth reached queueSize');
  for (let i = 4; i <= 6; i++) assert.equal(queue.enqueue(sampleEntry(i)), true, 'over queueSize still buffered');
  assert.equal(queue.enqueue(sampleEntry(7)), false, 'hard cap');
  assert.equal(queue.dropped, 1);
  assert.equal(errors.length, 1);
  assert.equal(queue.depth, 6);
  store.release();
  await queue.flush();
  assert.equal(queue.accepting(), true);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4', 'req_5', 'req_6']);
});

test('a failing store keeps entries, marks the queue failing and retries with capped exponential backoff', async () => {
  const { store, timers, errors, queue } = setup({ batchSize: 2, backoff: { initialMs: 50, maxMs: 400 } });
  store.failing = true;
  queue.enqueue(sampleEntry(1));
  queue.enqueue(sampleEntry(2));
  await settle();
  assert.equal(queue.accepting(), false, 'sink failing: refuse requests');
  assert.equal(queue.depth, 2, 'nothing lost');
  assert.equal(errors.length, 1);
  queue.enqueue(sampleEntry(3));
  queue.enqueue(sampleEntry(4));
  assert.deepEqual(store.calls, [2], 'no write while backing off, even with a full batch');
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    delays.push(timers.fire());
    await settle();
  }
  assert.deepEqual(delays, [50, 100, 200, 400, 400]);
  assert.equal(queue.accepting(), false);
  store.failing = false;
  timers.fire();
  await settle();
  assert.equal(queue.accepting(), true, 'healthy again after a success');
  assert.equal(queue.depth, 0);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4']);
  assert.equal((await verifyAudit(store)).ok, true);
});

test('flush retries through transient failures and loses nothing', async () => {
  // Timers that fire on the next turn of the event loop keep the backoff path real but instant.
  const immediate: QueueTimers = { setTimeout: (fn) => setImmediate(fn), clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate) };
  const { store, errors, queue } = setup({ timers: immediate, batchSize: 10 });
  store.failNext(2);
  for (let i = 1; i <= 4; i++) queue.enqueue(sampleEntry(i));
  await queue.flush();
  assert.equal(errors.length, 2);
  assert.deepEqual(requestIds(store), ['req_1', 'req_2', 'req_3', 'req_4']);
  assert.equal(queue.accepting(), true);
});

test('flush rejects when the store keeps failing, and succeeds once it recovers', async () => {
  const immediate: QueueTimers = { setTimeout: (fn) => setImmediate(fn), clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate) };
  const { store, queue } = setup({ timers: immediate, flushAttempts: 3 });
  store.failing = true;
  queue.enqueue(sampleEntry(1));
  await assert.rejects(queue.flush(), { code: 'audit_unavailable' });
  assert.equal(store.calls.length >= 3, true);
  assert.equal(queue.depth, 1);
  assert.equal(queue.accepting(), false);
  store.failing = false;
  await queue.flush();
  assert.deepEqual(requestIds(store), ['req_1']);
  assert.equal(store.records.length, 1, 'no duplicate write');
  await queue.close();
});

test('close flushes, stops timers and refuses later entries', async () => {
  const { store, timers, errors, queue } = setup({ batchSize: 10 });
  queue.enqueue(sampleEntry(1));
  assert.equal(timers.pending.length, 1);
  await queue.close();
  assert.deepEqual(requestIds(store), ['req_1']);
  assert.equal(timers.pending.length, 0);
  assert.equal(queue.accepting(), false);
  assert.equal(queue.enqueue(sampleEntry(2)), false);
  assert.equal(queue.dropped, 1);
  assert.equal(errors.length, 1);
});

test('onDepth follows the buffer', async () => {
  const { depths, queue } = setup({ batchSize: 2 });
  queue.enqueue(sampleEntry(1));
  queue.enqueue(sampleEntry(2));
  await settle();
  assert.deepEqual(depths, [1, 2, 0]);
});


test('writes through the real SQLite store', async (t) => {
  const store = await openStore('sqlite::memory:');
  t.after(() => store.close());
  await store.migrate();
  const queue = new AuditQueue(store, { queueSize: 100, batchSize: 4, flushIntervalMs: 5 });
  for (let i = 1; i <= 10; i++) queue.enqueue(sampleEntry(i));
  await queue.close();
  const records = await store.scanAudit(0, 100);
  assert.deepEqual(records.map((r) => r.requestId), Array.from({ length: 10 }, (_, i) => `req_${i + 1}`));
  assert.deepEqual(await verifyAudit(store), { ok: true, count: 10, problems: [] });
});
