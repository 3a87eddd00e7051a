import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { startVulnerableApi, type VulnerableApi } from '../fixtures/vulnerable-api.ts';
import { buildOpenApi } from '../fixtures/vulnerable-api-docs.ts';
import { ROUTES } from '../fixtures/vulnerable-api-routes.ts';
import { validateSarif } from '../../src/scan/report/sarif-shape.test-helper.ts';
import { toSarif } from '../../src/scan/report/sarif.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { SCAN_LIMITS } from '../../src/scan/target-policy.ts';
import type { Finding, ScanOptions, ScanReport } from '../../src/scan/types.ts';

// Issue 4's acceptance test: the scanner finds every vulnerability planted in the fixture, with the
// right severity; and the same API behind a sensibly configured Gatehouse shows none of the
// critical or high ones from outside (no false positives).

const options = (target: string): ScanOptions => ({
  target: new URL(target), headers: {}, allowWrites: false, rate: 1000,
  maxRequests: SCAN_LIMITS.maxRequests.default, timeoutMs: SCAN_LIMITS.timeoutMs.default, maxDelaySeconds: SCAN_LIMITS.maxDelaySeconds.default,
});

const find = (report: ScanReport, rule: string, endpoint?: string): Finding | undefined =>
  report.findings.find((f) => (f.rule === rule || f.rule.startsWith(`${rule}/`)) && (endpoint === undefined || f.endpoint === endpoint));

describe('scan: the deliberately vulnerable fixture', () => {
  let api: VulnerableApi;
  let report: ScanReport;
  before(async () => {
    api = await startVulnerableApi();
    report = await runScan({ options: options(api.url) });
  });
  after(() => api.close());

  // [what, rule, endpoint, severity]
  const PLANTED: Array<[string, string, string | undefined, Finding['severity']]> = [
    ['exposed API documentation', 'exposed-api-docs', 'GET /api/docs', 'medium'],
    ['no authentication on any endpoint', 'unauthenticated-access', undefined, 'critical'],
    ['SQL injection in search', 'sql-injection', 'GET /api/search', 'critical'],
    ['no rate limit', 'rate-limit', undefined, 'high'],
    ['stack traces in errors', 'verbose-errors', undefined, 'high'],
    ['CORS reflecting any origin with credentials', 'cors', undefined, 'high'],
    ['bound to all interfaces', 'binding-exposure', undefined, 'high'],
    ['credentials in /api/config', 'secrets-in-responses', 'GET /api/config', 'critical'],
  ];
  for (const [what, rule, endpoint, severity] of PLANTED) {
    test(`reports ${what} as ${severity}`, () => {
      const f = find(report, rule, endpoint);
      assert.ok(f, `no ${rule} finding; got: ${report.findings.map((x) => `${x.severity} ${x.rule} ${x.endpoint ?? ''}`).join(' | ')}`);
      assert.equal(f.severity, severity);
      assert.ok(f.remediation.length > 0);
    });
  }

  test('the inventory holds the documented endpoints with their parameters', () => {
    const search = report.endpoints.find((e) => e.method === 'GET' && e.path === '/api/search');
    assert.deepEqual(search?.params, [{ name: 'query', in: 'query', example: 'agent' }]);
    const documented = ROUTES.filter((r) => !r.undocumented).map((r) => `${r.method} ${r.path}`);
    for (const op of documented) assert.ok(report.endpoints.some((e) => `${e.method} ${e.path}` === op), op);
  });

  test('the timeline tells the attack story, and the verdict is CRITICAL', () => {
    const messages = report.timeline.map((e) => e.message);
    assert.ok(messages.some((m) => m.startsWith('Discovered exposed API documentation at /api/docs')));
    assert.ok(messages.some((m) => /^Identified \d+ API endpoints$/.test(m)));
    assert.equal(report.verdict.text, 'CRITICAL — complete system compromise possible');
    assert.ok(report.requestsSent <= SCAN_LIMITS.maxRequests.default);
  });

  test('the real report converts to a conforming SARIF 2.1.0 log', () => {
    assert.deepEqual(validateSarif(JSON.parse(JSON.stringify(toSarif(report)))), []);
  });

  test('no secret from the fixture appears anywhere in the report', () => {
    const json = JSON.stringify(report);
    for (const secret of ['Sup3rS3cret', 'IOSFODNN7EXAMPLE', 'FIXTUREonly0000', 'eyJzdWIiOiJvcHMtYWdlbnQi']) assert.ok(!json.includes(secret), secret);
  });
});

/** The fixture on loopback only, Gatehouse the one way in: strict routes, a policy, rate limits. */
async function behindGatehouse(rateLimit: Record<string, unknown>): Promise<{ api: VulnerableApi; h: Harness }> {
  const api = await startVulnerableApi({ host: '127.0.0.1' });
  const h = await startHarness(() => ({
    routes: [
      { id: 'api', path: '/api/*', upstream: api.url },
      { id: 'health', path: '/health', upstream: api.url, auth: 'public' },
    ],
    policies: { rules: [{ id: 'agents-read', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/api/*'] }] },
    rateLimit,
  }));
  return { api, h };
}

// The operator gives the scanner the document the gateway no longer lets anyone read.
const DOCUMENT = { source: 'openapi.json', text: JSON.stringify(buildOpenApi(ROUTES)) };
const serious = (report: ScanReport): string[] =>
  report.findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => `${f.severity} ${f.rule} ${f.endpoint ?? ''}: ${f.title}`);

describe('scan: the same API behind Gatehouse (default limits), from outside', () => {
  let api: VulnerableApi;
  let h: Harness;
  let report: ScanReport;
  before(async () => {
    ({ api, h } = await behindGatehouse({ perAgent: { rate: 10, burst: 20 }, perAddress: { rate: 10, burst: 20 } }));
    report = await runScan({ options: options(h.gw.dataUrl), document: DOCUMENT });
  });
  after(async () => {
    await h.close();
    await api.close();
  });

  test('no critical or high findings', () => {
    assert.deepEqual(serious(report), []);
    assert.ok(!['critical', 'high'].includes(report.verdict.level));
  });

  test('the scan really exercised the endpoints (and the documentation is no longer exposed)', () => {
    assert.ok(report.endpoints.length >= 20);
    assert.ok(report.requestsSent > 100);
    assert.equal(find(report, 'exposed-api-docs'), undefined);
    assert.equal(find(report, 'sql-injection'), undefined);
    assert.equal(find(report, 'unauthenticated-access', 'GET /api/agents'), undefined);
  });
});

// With the defaults, the failed-authentication lockout shuts the scanner out after a few probes and
// later checks mostly see 429. Relaxing it lets every probe reach Gatehouse's authentication, path
// canonicalisation and routing: the strongest test that the checks raise no false alarm.
describe('scan: behind Gatehouse with the lockout relaxed, every probe reaches authentication', () => {
  let api: VulnerableApi;
  let h: Harness;
  let report: ScanReport;
  before(async () => {
    ({ api, h } = await behindGatehouse({ perAddress: { rate: 1000, burst: 2000 }, authFailures: { maxFailures: 100_000, windowSeconds: 60, lockoutSeconds: 1 } }));
    report = await runScan({ options: options(h.gw.dataUrl), document: DOCUMENT });
  });
  after(async () => {
    await h.close();
    await api.close();
  });

  test('no critical or high findings: no bypass, no injection, no data without credentials', () => {
    assert.deepEqual(serious(report), []);
    for (const rule of ['auth-bypass', 'sql-injection', 'unauthenticated-access', 'secrets-in-responses', 'verbose-errors', 'cors']) {
      assert.equal(find(report, rule), undefined, rule);
    }
  });
});
