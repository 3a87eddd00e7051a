import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unauthenticatedAccess } from '../../src/scan/checks/unauthenticated-access.ts';
import { startVulnerableApi, type VulnerableApi } from '../fixtures/vulnerable-api.ts';
import { endpoint, fixtureInventory, json, startTestServer, testScan } from './helpers/check-harness.ts';

describe('unauthenticated-access against the vulnerable fixture', () => {
  let api: VulnerableApi;
  before(async () => void (api = await startVulnerableApi({ host: '127.0.0.1' })));
  after(() => api.close());

  it('reports "no authentication required on any endpoint" as one critical finding with per-endpoint evidence', async () => {
    const scan = testScan(api.url, fixtureInventory());
    try {
      const findings = await unauthenticatedAccess.run(scan.ctx);
      assert.equal(findings.length, 1);
      const [f] = findings;
      assert.equal(f!.rule, 'unauthenticated-access');
      assert.equal(f!.severity, 'critical');
      assert.match(f!.title, /No authentication required on any endpoint/);
      const requests = f!.evidence.map((e) => e.request).join('\n');
      for (const path of ['/api/agents', '/api/users', '/api/keys', '/api/config', '/api/agents/1', '/api/files/readme.md']) assert.match(requests, new RegExp(`GET ${path}(\\s|$)`), path);
      assert.ok(!/\/health/.test(requests), 'health is public by design');
      assert.ok(scan.events.includes('RESULT: No authentication required on any endpoint'));
      assert.ok(!requests.includes('POST'), 'no write without --allow-writes');
    } finally {
      await scan.close();
    }
  });
});

describe('unauthenticated-access against purpose-built servers', () => {
  it('finds nothing when /api/* refuses without credentials, even with a SPA fallback and the operator authenticated', async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === '/health') return json(res, 200, { status: 'ok' });
      if (req.url.startsWith('/api/')) {
        if (req.headers.authorization !== 'Bearer operator-secret') return json(res, 401, { error: 'unauthorized' });
        return json(res, 200, [{ id: 1, name: 'research-agent' }]);
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="app"></div><script src="/bundle.js"></script>');
    });
    const scan = testScan(server.url, [endpoint('GET', '/api/agents'), endpoint('GET', '/api/agents/{id}', [{ name: 'id', in: 'path' }]), endpoint('GET', '/health'), endpoint('GET', '/dashboard')], {
      headers: { authorization: 'Bearer operator-secret' },
    });
    try {
      assert.deepEqual(await unauthenticatedAccess.run(scan.ctx), []);
      assert.ok(server.seen.some((r) => r.url === '/api/agents/1'));
      assert.ok(server.seen.every((r) => r.headers.authorization === undefined), 'probes are sent without the operator credentials');
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('reports each open endpoint on its own when others refuse', async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === '/api/agents') return json(res, 200, [{ id: 1, name: 'a' }]);
      if (req.url === '/metrics') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('up 1\n');
      json(res, 401, { error: 'unauthorized' });
    });
    const scan = testScan(server.url, [endpoint('GET', '/api/agents'), endpoint('GET', '/api/users'), endpoint('GET', '/metrics')]);
    try {
      const findings = await unauthenticatedAccess.run(scan.ctx);
      assert.deepEqual(findings.map((f) => [f.endpoint, f.severity]), [['GET /api/agents', 'critical'], ['GET /metrics', 'high']]);
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('with --allow-writes: reports an accepted anonymous write; ids are non-existent; collection-wide DELETE is never sent', async () => {
    const server = await startTestServer((req, res) => {
      if (req.method === 'POST' && req.url === '/api/tasks') return json(res, 201, { id: 7 });
      if (req.method === 'DELETE') return json(res, 404, { error: 'no such task' });
      json(res, 401, { error: 'unauthorized' });
    });
    const inventory = [endpoint('POST', '/api/tasks', [{ name: 'title', in: 'body' }]), endpoint('DELETE', '/api/tasks'), endpoint('DELETE', '/api/tasks/{id}', [{ name: 'id', in: 'path', example: '3' }]), endpoint('GET', '/api/tasks')];
    const off = testScan(server.url, inventory);
    try {
      assert.deepEqual(await unauthenticatedAccess.run(off.ctx), []);
      assert.ok(server.seen.every((r) => r.method === 'GET'), 'no write without --allow-writes');
    } finally {
      await off.close();
    }
    const on = testScan(server.url, inventory, { allowWrites: true });
    try {
      const findings = await unauthenticatedAccess.run(on.ctx);
      assert.deepEqual(findings.map((f) => [f.rule, f.endpoint, f.severity]), [['unauthenticated-write', 'POST /api/tasks', 'critical']]);
      const post = server.seen.find((r) => r.method === 'POST')!;
      assert.equal(post.body, '{}');
      const deletes = server.seen.filter((r) => r.method === 'DELETE').map((r) => r.url);
      assert.equal(deletes.length, 1);
      assert.match(deletes[0]!, /^\/api\/tasks\/9\d{8}$/);
    } finally {
      await on.close();
      await server.close();
    }
  });
});
