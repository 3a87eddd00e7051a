import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanReport } from '../types.ts';
import { SARIF_SCHEMA, toSarif } from './sarif.ts';
import { validateSarif } from './sarif-shape.test-helper.ts';

type Obj = Record<string, unknown>;

const report: ScanReport = {
  target: 'http://127.0.0.1:8080/', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1500, requestsSent: 42,
  endpoints: [],
  findings: [
    { rule: 'sql-injection', severity: 'critical', title: 'SQL injection in GET /api/search', endpoint: 'GET /api/search', evidence: [{ request: "GET /api/search?query='", status: 500 }], remediation: 'Parameterise.' },
    { rule: 'unauthenticated-access', severity: 'high', title: 'No auth on GET /api/agents/{id}', endpoint: 'GET /api/agents/{id}', evidence: [], remediation: 'routes[].auth: strict' },
    { rule: 'unauthenticated-access', severity: 'medium', title: 'No auth on GET /health', endpoint: 'GET /health', evidence: [], remediation: 'routes[].auth: strict' },
    { rule: 'security-headers', severity: 'low', title: 'Missing HSTS', evidence: [], remediation: 'Add it.' },
    { rule: 'scan-incomplete', severity: 'info', title: 'Scan incomplete', evidence: [], remediation: 'Raise --max-requests.' },
  ],
  verdict: { level: 'critical', text: 'CRITICAL — complete system compromise possible' },
  timeline: [],
};

test('the SARIF log meets the 2.1.0 schema constraints', () => {
  const log = toSarif(report, '0.1.0');
  assert.deepEqual(validateSarif(JSON.parse(JSON.stringify(log))), []);
});

test('the validator itself catches violations (so the test above can fail)', () => {
  const log = JSON.parse(JSON.stringify(toSarif(report))) as Obj & { runs: Array<Obj & { results: Obj[] }> };
  log.version = '2.0.0';
  log.runs[0]!.results[0]!.level = 'critical';
  log.runs[0]!.results[1]!.ruleIndex = 0;
  log.runs[0]!.results[2]!.extra = 1;
  delete log.runs[0]!.results[3]!.message;
  assert.deepEqual(validateSarif(log), [
    '$.version: must be "2.1.0"',
    'results[0].level: enum',
    'results[1].ruleIndex: must point at the rule named by ruleId',
    'results[2]: "extra" is not allowed on result',
    'results[3]: missing required "message"',
    'results[3].message: expected an object (message)',
    'results[3].message: needs text or id',
  ]);
});

test('levels, rules and locations carry the scan\'s meaning', () => {
  const log = toSarif(report) as { $schema: string; runs: Array<{ tool: { driver: { name: string; rules: Obj[] } }; results: Obj[]; invocations: Obj[] }> };
  assert.equal(log.$schema, SARIF_SCHEMA);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'gatehouse-scan');
  assert.deepEqual(run.results.map((r) => r.level), ['error', 'error', 'warning', 'note', 'note']);
  assert.deepEqual(run.results.map((r) => (r.properties as Obj).severity), ['critical', 'high', 'medium', 'low', 'info']);
  // One rule per id; its default level is that of its worst finding.
  assert.deepEqual(run.tool.driver.rules.map((r) => [r.id, (r.defaultConfiguration as Obj).level]), [['sql-injection', 'error'], ['unauthenticated-access', 'error'], ['security-headers', 'note'], ['scan-incomplete', 'note']]);
  assert.deepEqual((run.tool.driver.rules[1]!.help as Obj).text, 'routes[].auth: strict');
  assert.deepEqual(run.tool.driver.rules.map((r) => (r.shortDescription as Obj).text), ['SQL injection', 'Endpoint answers without authentication', 'Missing or weak security headers', 'Scan incomplete']);
  const sub = toSarif({ ...report, findings: [{ ...report.findings[0]!, rule: 'cors/credentialed-reflection' }, { ...report.findings[0]!, rule: 'brand-new-rule' }] }) as typeof log;
  assert.deepEqual(sub.runs[0]!.tool.driver.rules.map((r) => (r.shortDescription as Obj).text), ['CORS reflects any origin with credentials (credentialed reflection)', 'Brand new rule']);
  const loc = (run.results[1]!.locations as Array<{ physicalLocation: { artifactLocation: { uri: string } }; logicalLocations: Obj[] }>)[0]!;
  assert.equal(loc.physicalLocation.artifactLocation.uri, 'http://127.0.0.1:8080/api/agents/%7Bid%7D');
  assert.equal(loc.logicalLocations[0]!.name, 'GET /api/agents/{id}');
  assert.equal(run.invocations[0]!.executionSuccessful, false);
  // Fingerprints are stable across runs and differ between findings.
  const fp = (r: Obj) => (r.partialFingerprints as Obj)['gatehouseScan/v1'];
  assert.equal(fp(run.results[0]!), fp((toSarif(report) as typeof log).runs[0]!.results[0]!));
  assert.notEqual(fp(run.results[1]!), fp(run.results[2]!));
});
