import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundBaseline } from './baseline.ts';
import type { ProbeResponse } from '../types.ts';

const res = (status: number, body = ''): ProbeResponse => ({ status, headers: {}, body, elapsedMs: 1 });

test('404, 410 and no answer are missing without a baseline request', async () => {
  const asked: string[] = [];
  const b = new NotFoundBaseline(async (p) => (asked.push(p), res(404)));
  for (const s of [0, 404, 410]) assert.equal(await b.isMissing('/api/x', res(s)), true);
  assert.deepEqual(asked, []);
});

test('a gateway answering 401 for every path under /api/ reveals nothing', async () => {
  const asked: string[] = [];
  const b = new NotFoundBaseline(async (p) => (asked.push(p), res(p.startsWith('/api/') ? 401 : 404)));
  assert.equal(await b.isMissing('/api/agents', res(401)), true);
  assert.equal(await b.isMissing('/api/users', res(401)), true);
  assert.equal(await b.isMissing('/admin', res(401)), false);
  assert.equal(asked.length, 2); // one baseline per directory
  assert.match(asked[0]!, /^\/api\/gatehouse-scan-[0-9a-f]{12}$/);
});

test('a catch-all 200 page (echoing the path) is missing; a different 200 body exists', async () => {
  const page = (p: string) => res(200, `<html><body>App shell for ${p}</body></html>`);
  const b = new NotFoundBaseline(async (p) => page(p));
  assert.equal(await b.isMissing('/admin', page('/admin')), true);
  assert.equal(await b.isMissing('/health', res(200, '{"status":"ok","version":"0.9.3","uptime":12345}'.repeat(3))), false);
});
