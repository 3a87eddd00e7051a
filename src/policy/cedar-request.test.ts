import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { timeBuckets } from './cedar-request.ts';

describe('timeBuckets', () => {
  it('agrees with Date for times before, at and after the epoch and across many days', () => {
    const times = [0, -1, 3_599_999, 3_600_000, -86_400_000 * 3 + 5, Date.UTC(2026, 10, 22, 23, 59, 59, 999), 8.64e15, -8.64e15];
    for (let i = 0; i < 2_000; i++) times.push(Math.floor((i * 7_919_113_937) % 4e12) - 1e12);
    for (const t of times) {
      const d = new Date(t);
      assert.deepEqual(timeBuckets(t), { hourUtc: d.getUTCHours(), weekdayUtc: d.getUTCDay() }, `t=${t}`);
    }
  });

  it('refuses times Date cannot represent', () => {
    for (const t of [Number.NaN, Infinity, 8.64e15 + 1]) assert.throws(() => timeBuckets(t), RangeError);
  });
});
