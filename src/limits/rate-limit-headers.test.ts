import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketQuota, policyValue, rateLimitHeaders, toSeconds } from './rate-limit-headers.ts';

test('bucketQuota: burst per whole-second refill window, never above burst at once or rate sustained', () => {
  const rows: Array<[rate: number, burst: number, points: number, windowSeconds: number]> = [
    [50, 100, 100, 2], // the perAgent default
    [20, 40, 40, 2], // the perAddress default
    [1, 1, 1, 1],
    [10, 10, 10, 1],
    [0.5, 1, 1, 2],
    [0.3, 1, 1, 4], // 1 per 3.33 s rounds to the longer window (0.25/s ≤ 0.3/s)
    [30, 100, 90, 3], // 90/3 s keeps 30/s; 100/4 s would give only 25/s
    [0.29, 100, 100, 345], // 100 / 0.29 = 344.8… s; 99 per 344 s would be slower
    [100, 10, 10, 1], // burst < rate: at most burst per second
    [2.5, 5, 5, 2],
  ];
  for (const [rate, burst, points, windowSeconds] of rows) {
    const q = bucketQuota({ rate, burst });
    assert.deepEqual(q, { points, windowSeconds }, `rate ${rate}, burst ${burst}`);
    assert.ok(q.points <= burst, 'never more than burst at once');
    assert.ok(q.points / q.windowSeconds <= rate + 1e-9, 'never more than rate sustained');
    assert.ok(Number.isInteger(q.windowSeconds) && q.windowSeconds >= 1, 'whole seconds, never 0 (= no expiry)');
  }
});

test('policyValue and rateLimitHeaders use the structured-field form of the draft', () => {
  const policy = policyValue({ points: 100, windowSeconds: 2 });
  assert.equal(policy, '"burst";q=100;w=2');
  assert.deepEqual(rateLimitHeaders({ allowed: true, limit: 100, remaining: 99, resetSeconds: 2, retryAfterSeconds: 0, policy }), {
    'RateLimit-Policy': '"burst";q=100;w=2',
    RateLimit: '"burst";r=99;t=2',
  });
  assert.deepEqual(rateLimitHeaders({ allowed: false, limit: 100, remaining: 0, resetSeconds: 1, retryAfterSeconds: 1, policy }), {
    'RateLimit-Policy': '"burst";q=100;w=2',
    RateLimit: '"burst";r=0;t=1',
    'Retry-After': '1',
  });
});

test('toSeconds rounds up and never reports a pending wait as 0', () => {
  assert.equal(toSeconds(1), 1);
  assert.equal(toSeconds(1000), 1);
  assert.equal(toSeconds(1001), 2);
  assert.equal(toSeconds(0), 0);
  assert.equal(toSeconds(-1), 0);
});
