import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advertisedRemaining, advertisesLimit, isLimited } from './burst.ts';
import { burstCandidates, chooseMode } from './rate-limit.ts';

describe('limit signals', () => {
  const table: Array<[string, Record<string, string>, number | undefined]> = [
    ['IETF draft structured field', { ratelimit: '"burst";r=95;t=2', 'ratelimit-policy': '"burst";q=100;w=2' }, 95],
    ['RateLimit-Remaining', { 'ratelimit-remaining': '7' }, 7],
    ['X-RateLimit-Remaining', { 'x-ratelimit-remaining': ' 0 ' }, 0],
    ['X-Rate-Limit-Remaining', { 'x-rate-limit-remaining': '12' }, 12],
    ['none', { 'content-type': 'application/json' }, undefined],
    ['garbage', { 'x-ratelimit-remaining': 'lots' }, undefined],
  ];
  for (const [name, headers, want] of table) it(`advertisedRemaining: ${name}`, () => assert.equal(advertisedRemaining(headers), want));
  it('advertisesLimit', () => {
    assert.equal(advertisesLimit({ 'ratelimit-policy': 'x' }), true);
    assert.equal(advertisesLimit({ 'x-ratelimit-limit': '10' }), true);
    assert.equal(advertisesLimit({ 'retry-after': '1' }), false);
  });
  it('isLimited: 429, or 503 only with Retry-After', () => {
    assert.deepEqual(
      [[429, {}], [503, { 'retry-after': '5' }], [503, {}], [200, { 'retry-after': '5' }]].map(([status, headers]) => isLimited({ status: status as number, headers: headers as Record<string, string> })),
      [true, true, false, false],
    );
  });
});

describe('choosing the burst target', () => {
  const ep = (path: string) => ({ method: 'GET', path, params: [], source: 'wordlist' as const });
  const res = (status: number, body = '', headers: Record<string, string> = {}) => ({ status, body, headers, elapsedMs: 1 });
  const t = (path: string, r: ReturnType<typeof res>) => ({ ep: ep(path), req: { method: 'GET', target: path }, res: r });

  it('cheap GETs first; health and parametrized paths last; writes never', () => {
    const order = burstCandidates([ep('/health'), ep('/api/agents/{id}'), ep('/api/search'), ep('/api/agents'), { ...ep('/api/tasks'), method: 'POST' }]).map((e) => e.path);
    assert.deepEqual(order, ['/api/agents', '/api/search', '/api/agents/{id}', '/health']);
  });
  it('the smallest 2xx that is not public by design', () => {
    const m = chooseMode([t('/health', res(200, 'ok')), t('/api/agents', res(200, 'x'.repeat(500))), t('/api/tools', res(200, 'x'.repeat(50)))]);
    assert.equal(m.kind === 'requests' && m.ep.path, '/api/tools');
  });
  it('only health answers: burst health', () => {
    const m = chooseMode([t('/api/agents', res(404)), t('/health', res(200, 'ok'))]);
    assert.equal(m.kind === 'requests' && m.ep.path, '/health');
  });
  it('everything refuses: a burst of wrong credentials (the lockout)', () => {
    const m = chooseMode([t('/api/agents', res(401)), t('/api/users', res(401))]);
    assert.equal(m.kind, 'auth-failures');
    assert.ok(m.kind === 'auth-failures' && m.req.anonymous && /^Bearer gatehouse-scan-invalid-/.test(m.req.headers!.Authorization!));
  });
  it('a 429 while choosing: already limited', () => assert.equal(chooseMode([t('/api/agents', res(401)), t('/api/users', res(429))]).kind, 'limited'));
  it('nothing usable', () => assert.equal(chooseMode([t('/api/agents', res(404))]).kind, 'none'));
});
