import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inventory } from './inventory.ts';

test('one entry per method and path; documentation outranks guesses', () => {
  const inv = new Inventory();
  assert.equal(inv.add({ method: 'get', path: '/api/search', params: [], source: 'wordlist' }), true);
  assert.equal(inv.add({ method: 'GET', path: '/api/search', params: [], source: 'link' }), false);
  assert.equal(inv.add({ method: 'GET', path: '/api/search', params: [{ name: 'query', in: 'query', example: 'a' }], source: 'openapi' }), true);
  assert.equal(inv.add({ method: 'POST', path: '/api/search', params: [], source: 'wordlist' }), true);
  assert.deepEqual(inv.list().map((e) => `${e.method} ${e.path} ${e.source}`), ['GET /api/search openapi', 'POST /api/search wordlist']);
});

test('concrete paths under a documented template are dropped, before and after it arrives', () => {
  const inv = new Inventory();
  inv.add({ method: 'GET', path: '/api/agents/7', params: [], source: 'link' });
  inv.add({ method: 'GET', path: '/api/agents/{id}', params: [{ name: 'id', in: 'path', example: '1' }], source: 'openapi' });
  assert.equal(inv.add({ method: 'GET', path: '/api/agents/8', params: [], source: 'link' }), false);
  assert.equal(inv.add({ method: 'DELETE', path: '/api/agents/8', params: [], source: 'link' }), true);
  assert.equal(inv.add({ method: 'GET', path: '/api/agents/8/runs', params: [], source: 'link' }), true);
  assert.deepEqual(inv.list().map((e) => `${e.method} ${e.path}`), ['DELETE /api/agents/8', 'GET /api/agents/8/runs', 'GET /api/agents/{id}']);
  assert.equal(inv.knowsPath('/api/agents/99'), true);
  assert.equal(inv.knowsPath('/api/users'), false);
});
