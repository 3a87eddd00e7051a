import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { rateLimitAbsent } from '../../src/scan/checks/rate-limit.ts';
import { startVulnerableApi } from '../fixtures/vulnerable-api.ts';
import { endpoint, fixtureInventory, json, startTestServer, testScan, type SeenRequest } from './helpers/check-harness.ts';

const AGENTS = [{ id: 1, name: 'research-agent' }];
const INVENTORY = [endpoint('GET', '/health'), endpoint('GET', '/api/agents'), endpoint('GET', '/api/agents/{id}', [{ name: 'id', in: 'path', example: '1' }])];

async function withScan(handler: (req: SeenRequest, res: ServerResponse) => void, options: Parameters<typeof testScan>[2] = {}, inventory = INVENTORY) {
  const server = await startTestServer(handler);
  const scan = testScan(server.url, inventory, options);
  try {
    return { findings: await rateLimitAbsent.run(scan.ctx), seen: server.seen, events: scan.events, sent: scan.ctx.probe.sent };
  } finally {
    await scan.close();
    await server.close();
  }
}

describe('rate-limit', () => {
  it('the fixture: no rate limit on an open endpoint → high, with the number of requests sent', async () => {
    const api = await startVulnerableApi({ host: '127.0.0.1' });
    const scan = testScan(api.url, fixtureInventory());
    try {
      const [f, ...rest] = await rateLimitAbsent.run(scan.ctx);
      assert.equal(rest.length, 0);
      assert.equal(f!.rule, 'rate-limit');
      assert.equal(f!.severity, 'high');
      assert.match(f!.title, /^No rate limiting on GET \/(metrics|api\/\w+) \(and it answers without credentials\)$/);
      assert.match(f!.evidence[0]!.note!, /^100 requests in [\d.]+ s \(\d+\/s\): 100× 200; no 429/);
      assert.match(f!.remediation, /rateLimit\.perAgent/);
      assert.match(f!.remediation, /rateLimit\.perAddress/);
      assert.match(f!.remediation, /rateLimit\.authFailures/);
      assert.ok(scan.ctx.probe.sent <= 107, `sent ${scan.ctx.probe.sent}`);
    } finally {
      await scan.close();
      await api.close();
    }
  });

  it('authenticated-only endpoint without a limit → medium (operator credentials used, anonymous refused)', async () => {
    const { findings, seen } = await withScan((req, res) => (req.headers.authorization === 'Bearer op' ? json(res, 200, AGENTS) : json(res, 401, {})), { headers: { authorization: 'Bearer op' } });
    assert.deepEqual(findings.map((f) => [f.severity, f.endpoint]), [['medium', 'GET /api/agents']]);
    assert.equal(seen.filter((r) => r.headers.authorization === 'Bearer op').length, 101);
  });

  it('a limit of 30 per window → 429 seen, no finding, and the burst stops there', async () => {
    let n = 0;
    const { findings, seen, events } = await withScan((_req, res) => (++n > 30 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, AGENTS)));
    assert.deepEqual(findings, []);
    assert.ok(seen.length <= 30 + 10 + 1, `sent ${seen.length}`);
    assert.ok(events.some((e) => /answered 429/.test(e)));
  });

  it('503 with Retry-After counts as limiting', async () => {
    let n = 0;
    const { findings } = await withScan((_req, res) => (++n > 25 ? json(res, 503, {}, { 'retry-after': '2' }) : json(res, 200, AGENTS)));
    assert.deepEqual(findings, []);
  });

  it('a limit above the default burst, advertised in RateLimit headers, is reached by growing the burst', async () => {
    let n = 0;
    const { findings, seen } = await withScan((_req, res) => {
      n++;
      if (n > 150) return json(res, 429, {}, { 'retry-after': '1' });
      json(res, 200, AGENTS, { 'ratelimit-policy': '"burst";q=150;w=10', ratelimit: `"burst";r=${150 - n};t=10` });
    });
    assert.deepEqual(findings, []);
    assert.ok(seen.length > 150 && seen.length <= 200, `sent ${seen.length}`);
  });

  it('everything refuses and wrong credentials never lock out → medium "no lockout"', async () => {
    const { findings, seen } = await withScan((_req, res) => json(res, 401, { error: 'unauthorized' }));
    assert.deepEqual(findings.map((f) => [f.severity, f.title]), [['medium', 'No lockout after 100 failed authentications on GET /api/agents']]);
    assert.ok(seen.slice(-100).every((r) => /^Bearer gatehouse-scan-invalid-[0-9a-f]{16}$/.test(String(r.headers.authorization))));
  });

  it('a lockout after 10 failed authentications → no finding', async () => {
    let failures = 0;
    const { findings } = await withScan((_req, res) => (++failures > 10 ? json(res, 429, { error: 'locked out' }, { 'retry-after': '300' }) : json(res, 401, {})));
    assert.deepEqual(findings, []);
  });

  it('keeps the budget for later checks: no burst when too little is left', async () => {
    const { findings, events, sent } = await withScan((_req, res) => json(res, 200, AGENTS), { maxRequests: 110 });
    assert.deepEqual(findings, []);
    assert.ok(sent <= 2);
    assert.ok(events.some((e) => /budget/.test(e)));
  });
});
