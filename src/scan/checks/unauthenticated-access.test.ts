import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRead, readFindings, type ReadVerdict } from './unauthenticated-access.ts';
import { harmlessWrite, writeVerdict } from './unauthenticated-writes.ts';

const ok = (body: unknown, status = 200) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('classifyRead', () => {
  const spa = ok('<!doctype html><html><body><div id="app"></div><script src="/app.js"></script></body></html>');
  const rows: Array<[string, string, ReturnType<typeof ok>, ReadVerdict, typeof spa?]> = [
    ['list of records', '/api/widgets', ok([{ id: 1, name: 'a' }]), 'open-data'],
    ['data-bearing path, scalar body', '/api/config', ok({ debug: true }), 'open-data'],
    ['secret-named field anywhere', '/api/info', ok({ build: 'x', apiKey: 'k' }), 'open-data'],
    ['plain answer elsewhere', '/metrics', ok('# TYPE up gauge\nup 1\n'), 'open'],
    ['401', '/api/agents', ok({ error: 'unauthorized' }, 401), 'refused'],
    ['403', '/api/agents', ok('forbidden', 403), 'refused'],
    ['429 lockout counts as refused', '/api/agents', ok('slow down', 429), 'refused'],
    ['empty list says nothing', '/api/agents', ok([]), 'inconclusive'],
    ['empty object says nothing', '/api/agents', ok({}), 'inconclusive'],
    ['404', '/api/agents/1', ok({ error: 'not found' }, 404), 'inconclusive'],
    ['500', '/api/agents/1', ok('boom', 500), 'inconclusive'],
    ['no answer', '/api/agents', { status: 0, body: '' }, 'inconclusive'],
    ['health is public by design', '/healthz', ok({ status: 'ok', db: 'up' }), 'public-by-design'],
    ['discovery is public by design', '/.well-known/oauth-authorization-server', ok({ issuer: 'x' }), 'public-by-design'],
    ['jwks is public by design', '/oauth/jwks', ok({ keys: [{ kty: 'EC' }] }), 'public-by-design'],
    ['SPA fallback page equals the catch-all', '/api/agents', spa, 'inconclusive', spa],
  ];
  for (const [name, path, res, want, catchAll] of rows) {
    it(name, () => assert.equal(classifyRead({ method: 'GET', path }, res, catchAll), want));
  }
  it('HEAD: a 2xx counts as answered (no body to judge)', () => {
    assert.equal(classifyRead({ method: 'HEAD', path: '/api/agents' }, ok('')), 'open');
    assert.equal(classifyRead({ method: 'HEAD', path: '/api/agents' }, ok('', 401)), 'refused');
  });
});

describe('readFindings', () => {
  const o = (label: string, severity: 'critical' | 'high') => ({ label, severity, evidence: { request: label } });
  it('nothing refused and ≥ 3 open: one summary finding, worst severity, evidence for each', () => {
    const f = readFindings([o('GET /a', 'high'), o('GET /b', 'critical'), o('GET /c', 'high')], 0);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'critical');
    assert.match(f[0]!.title, /No authentication required on any endpoint \(3 of 3/);
    assert.equal(f[0]!.evidence.length, 3);
    assert.match(f[0]!.remediation, /auth: strict/);
  });
  it('some refused: one finding per open endpoint', () => {
    const f = readFindings([o('GET /a', 'high'), o('GET /b', 'critical'), o('GET /c', 'high')], 1);
    assert.deepEqual(f.map((x) => [x.endpoint, x.severity]), [['GET /a', 'high'], ['GET /b', 'critical'], ['GET /c', 'high']]);
  });
  it('nothing open: no finding', () => assert.deepEqual(readFindings([], 5), []));
});

describe('harmless writes', () => {
  const e = (method: string, path: string) => ({ method, path, params: [{ name: 'id', in: 'path' as const, example: '1' }] });
  it('never sends PUT/PATCH/DELETE without an id in the path', () => {
    for (const m of ['PUT', 'PATCH', 'DELETE']) assert.equal(harmlessWrite(e(m, '/api/config')), undefined, m);
  });
  it('ids are random values that name no record; bodies are {}', () => {
    const del = harmlessWrite(e('DELETE', '/api/agents/{id}'))!;
    assert.match(del.target, /^\/api\/agents\/9\d{8}$/);
    assert.equal(del.json, undefined);
    assert.equal(del.anonymous, true);
    const post = harmlessWrite(e('POST', '/api/agents/{id}/run'))!;
    assert.match(post.target, /^\/api\/agents\/9\d{8}\/run$/);
    assert.deepEqual(post.json, {});
    assert.deepEqual(harmlessWrite(e('POST', '/api/tasks'))?.target, '/api/tasks');
    assert.equal(harmlessWrite(e('GET', '/api/tasks')), undefined);
  });
  it('verdicts', () => {
    assert.deepEqual([201, 204, 400, 422, 500, 401, 403, 404, 405].map(writeVerdict), ['accepted', 'accepted', 'reached-handler', 'reached-handler', 'reached-handler', undefined, undefined, undefined, undefined]);
  });
});
