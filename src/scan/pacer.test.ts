import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from './pacer.ts';

function fake(rate: number) {
  let now = 0;
  const waits: number[] = [];
  const pacer = new Pacer(rate, { now: () => now, sleep: async (ms) => void waits.push(Math.round(ms)) });
  return { pacer, waits, advance: (ms: number) => (now += ms) };
}

test('a burst of a tenth of a second goes at once, the rest is spaced at 1/rate', async () => {
  const f = fake(100);
  for (let i = 0; i < 13; i++) await f.pacer.take();
  assert.deepEqual(f.waits, [10, 20, 30]);
});

test('concurrent callers each reserve their own slot', async () => {
  const f = fake(10);
  await Promise.all([f.pacer.take(), f.pacer.take(), f.pacer.take()]);
  assert.deepEqual(f.waits.sort((a, b) => a - b), [100, 200]);
});

test('tokens refill with time but never beyond the burst', async () => {
  const f = fake(10);
  await f.pacer.take();
  f.advance(10_000);
  await f.pacer.take();
  await f.pacer.take();
  assert.deepEqual(f.waits, [100]);
});

test('a rate must be positive', () => {
  assert.throws(() => new Pacer(0), RangeError);
});
