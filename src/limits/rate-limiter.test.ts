import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { mock, test } from 'node:test';
import { Redis } from 'ioredis';
import { serviceSkipReason, testServiceUrl } from '../store/service-availability.ts';
import { rateLimitHeaders } from './rate-limit-headers.ts';
import { createRateLimiter } from './rate-limiter.ts';
import type { RateLimiter, RateLimiterOptions } from './rate-limiter.ts';

const authFailures = { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 30 };
const bucket = { rate: 2, burst: 4 }; // 4 at once, 4 per 2 s

async function limiter(t: { after: (fn: () => unknown) => void }, opts: Partial<RateLimiterOptions> = {}): Promise<RateLimiter> {
  const rl = await createRateLimiter({ authFailures, ...opts });
  t.after(() => rl.close());
  return rl;
}

/** Consumes `n` times and returns the `allowed` flags. */
async function drain(rl: RateLimiter, key: string, n: number, b = bucket): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await rl.consume(key, b)).allowed);
  return out;
}

// ---- Behaviours every backend must show (memory and Redis run the same checks). ----

async function burstThenDenied(rl: RateLimiter): Promise<void> {
  const first = await rl.consume('agent-a', bucket);
  assert.deepEqual({ ...first, resetSeconds: undefined }, { allowed: true, limit: 4, remaining: 3, resetSeconds: undefined, retryAfterSeconds: 0, policy: '"burst";q=4;w=2' });
  assert.deepEqual(await drain(rl, 'agent-a', 3), [true, true, true]);
  const denied = await rl.consume('agent-a', bucket);
  assert.equal(denied.allowed, false);
  assert.equal(denied.remaining, 0);
  assert.ok(denied.retryAfterSeconds > 0 && denied.retryAfterSeconds <= 2, `retryAfter ${denied.retryAfterSeconds}`);
  assert.equal(rateLimitHeaders(denied)['Retry-After'], String(denied.retryAfterSeconds));
}

async function keysAndBucketsIndependent(rl: RateLimiter): Promise<void> {
  assert.deepEqual(await drain(rl, 'agent-a', 5), [true, true, true, true, false]);
  assert.deepEqual(await drain(rl, 'agent-b', 4), [true, true, true, true], 'another key has its own bucket');
  assert.deepEqual(await drain(rl, 'agent-a', 2, { rate: 1, burst: 2 }), [true, true], 'another bucket config has its own counters');
  assert.equal((await rl.consume('agent-a', { rate: 1, burst: 2 })).allowed, false);
}

async function lockoutAfterFailures(rl: RateLimiter): Promise<void> {
  assert.deepEqual(await rl.lockoutStatus('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
  assert.deepEqual(await rl.recordAuthFailure('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
  assert.deepEqual(await rl.recordAuthFailure('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
  assert.deepEqual(await rl.lockoutStatus('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
  assert.deepEqual(await rl.recordAuthFailure('10.0.0.1'), { lockedOut: true, retryAfterSeconds: 30 }, 'the 3rd failure locks');
  const status = await rl.lockoutStatus('10.0.0.1');
  assert.equal(status.lockedOut, true);
  assert.ok(status.retryAfterSeconds > 25 && status.retryAfterSeconds <= 30, `retryAfter ${status.retryAfterSeconds}`);
  const again = await rl.recordAuthFailure('10.0.0.1');
  assert.equal(again.lockedOut, true);
  assert.ok(again.retryAfterSeconds <= 30, 'failures while locked do not extend the lockout');
  assert.deepEqual(await rl.lockoutStatus('10.0.0.2'), { lockedOut: false, retryAfterSeconds: 0 }, 'other addresses unaffected');
}

test('memory: a burst is allowed, then denied with Retry-After', async (t) => {
  await burstThenDenied(await limiter(t));
});

test('memory: keys and bucket configs are independent', async (t) => {
  await keysAndBucketsIndependent(await limiter(t));
});

test('memory: lockout after maxFailures failures, reflected by lockoutStatus', async (t) => {
  await lockoutAfterFailures(await limiter(t));
});

test('memory: the bucket refills after its window and the lockout ends after lockoutSeconds', async (t) => {
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.UTC(2026, 0, 1) });
  t.after(() => mock.timers.reset());
  const rl = await limiter(t);
  assert.deepEqual(await drain(rl, 'agent-a', 5), [true, true, true, true, false]);
  mock.timers.tick(1_000);
  assert.equal((await rl.consume('agent-a', bucket)).allowed, false, 'still inside the 2 s window');
  mock.timers.tick(1_000);
  assert.deepEqual(await drain(rl, 'agent-a', 5), [true, true, true, true, false], 'a full burst again');

  for (let i = 0; i < 3; i++) await rl.recordAuthFailure('10.0.0.1');
  mock.timers.tick(29_000);
  assert.equal((await rl.lockoutStatus('10.0.0.1')).lockedOut, true);
  mock.timers.tick(1_000);
  assert.deepEqual(await rl.lockoutStatus('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
});

test('memory: failures spread beyond windowSeconds do not lock', async (t) => {
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: Date.UTC(2026, 0, 1) });
  t.after(() => mock.timers.reset());
  const rl = await limiter(t);
  await rl.recordAuthFailure('10.0.0.1');
  await rl.recordAuthFailure('10.0.0.1');
  mock.timers.tick(60_000);
  assert.deepEqual(await rl.recordAuthFailure('10.0.0.1'), { lockedOut: false, retryAfterSeconds: 0 });
});

// ---- Redis ----

const redisSkip = await serviceSkipReason('redis');

/** A unique key prefix per test; its keys are deleted afterwards (the Redis is shared). */
function redisPrefix(t: { after: (fn: () => unknown) => void }): string {
  const prefix = `gatehouse-test:${randomUUID()}`;
  t.after(async () => {
    const admin = new Redis(testServiceUrl('redis'), { lazyConnect: true });
    await admin.connect();
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });
  return prefix;
}

const redisOpts = (t: { after: (fn: () => unknown) => void }): Partial<RateLimiterOptions> => ({ redisUrl: testServiceUrl('redis'), keyPrefix: redisPrefix(t) });

test('redis: a burst is allowed, then denied with Retry-After', { skip: redisSkip }, async (t) => {
  await burstThenDenied(await limiter(t, redisOpts(t)));
});

test('redis: keys and bucket configs are independent', { skip: redisSkip }, async (t) => {
  await keysAndBucketsIndependent(await limiter(t, redisOpts(t)));
});

test('redis: lockout after maxFailures failures, reflected by lockoutStatus', { skip: redisSkip }, async (t) => {
  await lockoutAfterFailures(await limiter(t, redisOpts(t)));
});

test('redis: two instances (replicas) share one budget and one lockout', { skip: redisSkip }, async (t) => {
  const opts = redisOpts(t);
  const a = await limiter(t, opts);
  const b = await limiter(t, opts);
  assert.deepEqual(await drain(a, 'agent-a', 2), [true, true]);
  assert.deepEqual(await drain(b, 'agent-a', 2), [true, true]);
  assert.equal((await a.consume('agent-a', bucket)).allowed, false);
  assert.equal((await b.consume('agent-a', bucket)).allowed, false);
  await a.recordAuthFailure('10.0.0.9');
  await b.recordAuthFailure('10.0.0.9');
  assert.equal((await a.recordAuthFailure('10.0.0.9')).lockedOut, true);
  assert.equal((await b.lockoutStatus('10.0.0.9')).lockedOut, true);
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('redis down: every call fails closed with rate_limit_unavailable', async (t) => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve)); // now nothing listens there
  const errors: unknown[] = [];
  const rl = await limiter(t, { redisUrl: `redis://127.0.0.1:${port}`, redisTimeoutMs: 200, onError: (e) => errors.push(e) });
  await assert.rejects(rl.consume('agent-a', bucket), { code: 'rate_limit_unavailable', status: 503 });
  await assert.rejects(rl.recordAuthFailure('10.0.0.1'), { code: 'rate_limit_unavailable' });
  await assert.rejects(rl.lockoutStatus('10.0.0.1'), { code: 'rate_limit_unavailable' });
  assert.ok(errors.length > 0, 'connection errors are reported');
});

test('redis stalled (accepts connections, never answers): calls fail closed instead of hanging', async (t) => {
  const sockets = new Set<Socket>();
  const blackhole = createServer((s) => sockets.add(s));
  const port = await listen(blackhole);
  t.after(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });
  const rl = await limiter(t, { redisUrl: `redis://127.0.0.1:${port}`, redisTimeoutMs: 200, onError: () => {} });
  await assert.rejects(rl.consume('agent-a', bucket), { code: 'rate_limit_unavailable' });
});
