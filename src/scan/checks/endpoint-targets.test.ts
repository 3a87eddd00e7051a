import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fillPath, isDataBearingPath, isNumericParam, isPublicByDesign, isSearchLike, nonexistentValue, queryString, sampleBody, sampleValue } from './endpoint-targets.ts';
import { clearlyDifferent, itemCount, looksLikeRecords, returnsContent, samePage } from './response-shape.ts';

describe('endpoint targets', () => {
  it('sample values: the example, else 1 for ids and counts, else test', () => {
    assert.deepEqual(
      [{ name: 'id', example: 'abc' }, { name: 'id' }, { name: 'agent_id' }, { name: 'agentId' }, { name: 'lines' }, { name: 'name' }, { name: 'valid' }].map(sampleValue),
      ['abc', '1', '1', '1', '1', 'test', 'test'],
    );
    assert.equal(isNumericParam({ name: 'name', example: '42' }), true);
    assert.equal(isNumericParam({ name: 'id', example: 'readme.md' }), false);
  });
  it('fillPath: examples, plausible values, overrides, encoding', () => {
    const ep = { path: '/api/files/{name}/versions/{id}', params: [{ name: 'name', in: 'path' as const, example: 'read me.md' }] };
    assert.equal(fillPath(ep), '/api/files/read%20me.md/versions/1');
    assert.equal(fillPath(ep, (p) => (p.name === 'id' ? '7' : undefined)), '/api/files/read%20me.md/versions/7');
  });
  it('nonexistentValue: a large number for numeric params, a marked string otherwise', () => {
    assert.match(nonexistentValue({ name: 'id' }), /^9\d{8}$/);
    assert.match(nonexistentValue({ name: 'slug' }), /^gatehouse-scan-[0-9a-f]+$/);
  });
  it('queryString encodes spaces as %20', () => assert.equal(queryString([['q', "a b'"], ['n', '1']]), "?q=a%20b'&n=1"));
  it('sampleBody keeps numbers numeric', () => assert.deepEqual(sampleBody({ params: [{ name: 'agent_id', in: 'body' }, { name: 'title', in: 'body' }, { name: 'id', in: 'path' }] }), { agent_id: 1, title: 'test' }));
  it('classifications', () => {
    assert.deepEqual(['/api/search', '/search', '/api/agents/find', '/api/research'].map(isSearchLike), [true, true, true, false]);
    assert.deepEqual(['/health', '/api/health', '/.well-known/openid-configuration', '/oauth/jwks', '/api/openapi.json', '/api/docs', '/', '/login', '/static/app.js', '/oauth/token'].map(isPublicByDesign), Array(10).fill(true));
    assert.deepEqual(['/api/agents', '/api/login-history', '/api/users/{id}', '/admin'].map(isPublicByDesign), [false, false, false, false]);
    assert.deepEqual(['/api/agents', '/api/keys', '/api/config', '/api/users/{id}', '/v1/memory', '/metrics', '/api/weather', '/api/monkeys'].map(isDataBearingPath), [true, true, true, true, true, false, false, false]);
  });
});

describe('response shape', () => {
  const r = (body: unknown, status = 200) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  it('returnsContent', () => {
    assert.deepEqual([r([1]), r({ a: 1 }), r('hello'), r([]), r({}), r('ok'), r(''), r('null'), r([1], 401), r([1], 302)].map(returnsContent), [true, true, true, false, false, false, false, false, false, false]);
  });
  it('itemCount', () => {
    assert.deepEqual(['[1,2]', '{"results":[1]}', '{"data":[],"total":0}', '{"agents":[1,2,3],"page":1}', '{"a":[1],"b":[2]}', 'text', '{bad'].map(itemCount), [2, 1, 0, 3, undefined, undefined, undefined]);
  });
  it('samePage / clearlyDifferent', () => {
    assert.equal(samePage(r([1, 2]), r([3, 4])), true);
    assert.equal(samePage(r([1, 2]), r([1])), false);
    assert.equal(samePage(r('x'.repeat(1000)), r('x'.repeat(1030))), true);
    assert.equal(samePage(r('x', 200), r('x', 404)), false);
    assert.equal(clearlyDifferent(r([1, 2]), r([])), true);
    assert.equal(clearlyDifferent(r('x'.repeat(100)), r('x'.repeat(110))), false);
    assert.equal(clearlyDifferent(r('x'), r('x', 500)), true);
  });
  it('looksLikeRecords', () => {
    assert.deepEqual([[{ id: 1 }], { items: [1] }, { password_hash: 'x' }, { status: 'ok' }, [1, 2], 'plain'].map((b) => looksLikeRecords(JSON.stringify(b))), [true, true, true, false, false, false]);
  });
});
