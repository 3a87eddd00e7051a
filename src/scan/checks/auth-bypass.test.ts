import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bypassVerdict, orderCandidates } from './auth-bypass.ts';
import { bypassVariants, splitGroup } from './bypass-variants.ts';

describe('bypassVariants', () => {
  const targets = (path: string, postOverrides = false) => bypassVariants(path, { postOverrides }).map((v) => `${v.req.method} ${v.req.target}`);

  it('spells the path every way a naive matcher misses', () => {
    const t = targets('/api/agents');
    for (const want of [
      'GET /api/agents/', 'GET /API/agents', 'GET /API/AGENTS', 'GET /gatehouse-scan/..;/api/agents', 'GET /api;x=1/agents',
      'GET /api/agents;jsessionid=x', 'GET /%2e/api/agents', 'GET /api/%2e/agents', 'GET /api%2fagents', 'GET //api/agents',
      'GET /api//agents', 'GET /./api/agents', 'GET /api/./agents', 'GET /api/agents.json', 'GET /api/agents%20', 'HEAD /api/agents',
      'GET /',
    ]) assert.ok(t.includes(want), want);
  });
  it('never repeats the original request or a target', () => {
    const t = bypassVariants('/admin', { postOverrides: false }).filter((v) => !v.req.headers).map((v) => `${v.req.method} ${v.req.target}`);
    assert.ok(!t.includes('GET /admin'));
    assert.equal(new Set(t).size, t.length);
  });
  it('trailing slash is removed when the path has one', () => assert.ok(targets('/api/agents/').includes('GET /api/agents')));
  it('every variant goes out without the operator credentials', () => {
    for (const v of bypassVariants('/api/agents', { postOverrides: true })) assert.equal(v.req.anonymous, true, v.technique);
  });
  it('method overrides are POSTs, and only when asked for', () => {
    assert.ok(!targets('/api/agents').some((t) => t.startsWith('POST')));
    const posts = bypassVariants('/api/agents', { postOverrides: true }).filter((v) => v.req.method === 'POST');
    assert.deepEqual(posts.map((v) => [v.req.target, v.req.headers]), [
      ['/api/agents', undefined], ['/api/agents', { 'X-HTTP-Method-Override': 'GET' }], ['/api/agents', { 'X-Method-Override': 'GET' }], ['/api/agents', { 'X-HTTP-Method': 'GET' }], ['/api/agents?_method=GET', undefined],
    ]);
  });
  it('spoofed headers: grouped, then split one by one', () => {
    const group = bypassVariants('/api/agents', { postOverrides: false }).find((v) => v.technique === 'spoofed client-address headers')!;
    assert.equal(group.req.headers?.['X-Forwarded-For'], '127.0.0.1');
    const alone = splitGroup(group);
    assert.ok(alone.length >= 5);
    assert.ok(alone.every((v) => Object.keys(v.req.headers!).length === 1 && v.req.target === '/api/agents'));
    const ids = bypassVariants('/api/agents', { postOverrides: false }).find((v) => v.technique === 'spoofed identity headers')!;
    assert.equal(ids.req.headers?.['X-Gatehouse-Agent'], 'admin');
    assert.equal(ids.req.headers?.['X-Remote-User'], 'admin');
  });
  it('rewrite headers ask for / and must differ from it', () => {
    const v = bypassVariants('/api/agents', { postOverrides: false }).find((x) => x.req.headers?.['X-Original-URL'])!;
    assert.equal(v.req.target, '/');
    assert.equal(v.sameAs, '/');
  });
});

describe('bypassVerdict', () => {
  const get = { req: { method: 'GET', target: '/x' } };
  const data = { status: 200, body: JSON.stringify([{ id: 1, name: 'research-agent' }]) };
  const spa = { status: 200, body: '<!doctype html><div id="app"></div><script src="/bundle.js"></script>' };
  const rows: Array<[string, typeof get, { status: number; body: string }, Parameters<typeof bypassVerdict>[2], ReturnType<typeof bypassVerdict>]> = [
    ['2xx with data', get, data, {}, 'bypass'],
    ['still refused', get, { status: 401, body: '{"error":"unauthorized"}' }, {}, undefined],
    ['404', get, { status: 404, body: 'not found' }, {}, undefined],
    ['400 (rejected by a canonicalizing gateway)', get, { status: 400, body: 'bad path' }, {}, undefined],
    ['2xx but empty', get, { status: 200, body: '[]' }, {}, undefined],
    ['the catch-all page', get, spa, { catchAll: spa }, undefined],
    ['data while the catch-all is a 404', get, data, { catchAll: { status: 404, body: 'nope' } }, 'bypass'],
    ['the page the rewrite really asked for', get, spa, { sameAs: spa }, undefined],
    ['HEAD 2xx', { req: { method: 'HEAD', target: '/x' } }, { status: 200, body: '' }, {}, 'head-bypass'],
    ['HEAD refused', { req: { method: 'HEAD', target: '/x' } }, { status: 401, body: '' }, {}, undefined],
  ];
  for (const [name, v, res, ref, want] of rows) it(name, () => assert.equal(bypassVerdict(v, res, ref), want));
});

describe('orderCandidates', () => {
  it('data-bearing first, one per prefix before repeats', () => {
    const e = (path: string) => ({ method: 'GET', path, params: [], source: 'openapi' as const });
    const order = orderCandidates([e('/metrics'), e('/api/agents'), e('/api/agents/{id}'), e('/api/users'), e('/about')]).map((x) => x.path);
    assert.deepEqual(order, ['/api/agents', '/api/users', '/metrics', '/about', '/api/agents/{id}']);
  });
});
