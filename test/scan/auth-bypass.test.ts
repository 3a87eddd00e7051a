import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { authBypass } from '../../src/scan/checks/auth-bypass.ts';
import { startVulnerableApi } from '../fixtures/vulnerable-api.ts';
import { endpoint, fixtureInventory, json, startTestServer, testScan, type SeenRequest } from './helpers/check-harness.ts';

const DATA: Record<string, unknown> = {
  '/api/agents': [{ id: 1, name: 'research-agent', model: 'gpt-4o' }, { id: 2, name: 'ops-agent', model: 'gpt-4o-mini' }],
  '/api/users': [{ id: 1, username: 'admin', role: 'admin' }],
};
const INVENTORY = [endpoint('GET', '/api/agents'), endpoint('GET', '/api/users'), endpoint('GET', '/health')];

/** What a typical router does: resolve dot segments (also %2e), merge slashes, ignore case and a trailing slash. */
const routerPath = (raw: string): string => new URL(`http://x${raw.split('?')[0]}`).pathname.replace(/\/{2,}/g, '/').toLowerCase().replace(/(.)\/$/, '$1');

function serveData(req: SeenRequest, res: ServerResponse, method: string): boolean {
  const data = DATA[routerPath(req.url)];
  if ((method === 'GET' || method === 'HEAD') && data) {
    json(res, 200, data);
    return true;
  }
  return false;
}

describe('auth-bypass against purpose-built servers', () => {
  it('finds the bypasses of an access rule that matches raw text, only GET, and trusts X-Forwarded-For', async () => {
    const server = await startTestServer((req, res) => {
      const rawPath = req.url.split('?')[0]!;
      const trusted = req.headers['x-forwarded-for'] === '127.0.0.1';
      if (req.method === 'GET' && rawPath in DATA && !trusted && req.headers.authorization !== 'Bearer ok') return json(res, 401, { error: 'unauthorized' });
      const override = req.headers['x-http-method-override'];
      const method = req.method === 'POST' && typeof override === 'string' ? override : req.method;
      if (!serveData(req, res, method)) json(res, 404, { error: 'not found' });
    });
    const scan = testScan(server.url, INVENTORY);
    try {
      const findings = await authBypass.run(scan.ctx);
      assert.deepEqual(findings.map((f) => [f.rule, f.endpoint, f.severity]), [['auth-bypass', 'GET /api/agents', 'critical'], ['auth-bypass', 'GET /api/users', 'critical']]);
      const notes = findings[0]!.evidence.map((e) => e.note ?? '').join('\n');
      for (const technique of ['trailing slash', 'case change', '`/./` segment', 'double slash', 'encoded dot segment', 'HEAD instead of GET', 'X-HTTP-Method-Override: GET on a POST', 'spoofed X-Forwarded-For header']) {
        assert.ok(notes.includes(technique), technique);
      }
      assert.ok(!notes.includes('spoofed X-Real-IP'), 'only the header that works is named');
      assert.equal(findings[0]!.evidence[0]!.status, 401, 'first evidence is the refusal');
      assert.match(findings[0]!.remediation, /canonicalizes the path/);
      assert.ok(server.seen.every((r) => r.headers.authorization === undefined));
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('finds nothing when the rule is applied to the normalized path, with a SPA fallback answering 200 everywhere else', async () => {
    const server = await startTestServer((req, res) => {
      const path = routerPath(req.url);
      if (path.startsWith('/api/')) {
        if (req.headers.authorization !== 'Bearer operator') return json(res, 401, { error: 'unauthorized' });
        if (serveData(req, res, req.method)) return;
        return json(res, 404, { error: 'not found' });
      }
      if (path === '/health') return json(res, 200, { status: 'ok' });
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><div id="app"></div><script src="/bundle.js"></script>`);
    });
    const scan = testScan(server.url, INVENTORY, { headers: { authorization: 'Bearer operator' } });
    try {
      assert.deepEqual(await authBypass.run(scan.ctx), []);
      const urls = server.seen.map((r) => r.url);
      for (const sent of ['/API/agents', '/gatehouse-scan/..;/api/agents', '/api%2fagents', '//api/agents', '/api/agents;jsessionid=x']) assert.ok(urls.includes(sent), `sent byte-exact: ${sent}`);
      assert.ok(server.seen.some((r) => r.headers['x-original-url'] === '/api/agents' && r.url === '/'));
      assert.ok(server.seen.every((r) => r.headers.authorization === undefined));
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('stops at the first 429 (a failed-authentication lockout) instead of spending the budget', async () => {
    let n = 0;
    const server = await startTestServer((_req, res) => (++n <= 3 ? json(res, 401, { error: 'unauthorized' }) : json(res, 429, { error: 'locked out' }, { 'retry-after': '300' })));
    const scan = testScan(server.url, INVENTORY);
    try {
      assert.deepEqual(await authBypass.run(scan.ctx), []);
      assert.ok(server.seen.length <= 5, `sent ${server.seen.length}`);
      assert.ok(scan.events.some((e) => /429/.test(e)));
    } finally {
      await scan.close();
      await server.close();
    }
  });

  it('has nothing to bypass on the fixture (nothing refuses) and sends only the baselines', async () => {
    const api = await startVulnerableApi({ host: '127.0.0.1' });
    const scan = testScan(api.url, fixtureInventory());
    try {
      assert.deepEqual(await authBypass.run(scan.ctx), []);
      assert.ok(scan.ctx.probe.sent <= fixtureInventory().length);
    } finally {
      await scan.close();
      await api.close();
    }
  });
});
