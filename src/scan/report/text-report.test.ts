import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanReport } from '../types.ts';
import { renderText } from './text-report.ts';

const report: ScanReport = {
  target: 'http://127.0.0.1:8080/', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12_345, requestsSent: 734,
  endpoints: [{ method: 'GET', path: '/api/search', params: [{ name: 'query', in: 'query', example: 'agent' }], source: 'openapi' }],
  findings: [
    { rule: 'sql-injection', severity: 'critical', title: 'SQL injection in GET /api/search (query parameter `query`)', endpoint: 'GET /api/search', evidence: [{ request: "GET /api/search?query='", status: 500, response: '{"error":"unrecognized token"}\u001b[2J', note: 'SQLite error' }], remediation: 'Use parameterised queries.' },
    { rule: 'security-headers', severity: 'low', title: 'Missing X-Content-Type-Options', evidence: [{ request: 'GET /', status: 0 }], remediation: 'Add it.' },
  ],
  verdict: { level: 'critical', text: 'CRITICAL — complete system compromise possible' },
  timeline: [],
};

test('the text report: inventory, findings grouped by severity with evidence and fix, summary, verdict last', () => {
  const text = renderText(report);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.at(-1), 'Verdict: CRITICAL — complete system compromise possible');
  assert.equal(lines.at(-2), 'Summary: 1 critical · 0 high · 0 medium · 1 low · 0 info — 1 endpoints, 734 requests in 12.3 s');
  assert.ok(lines.includes('  GET     /api/search  openapi  query:query=agent'));
  const critical = lines.indexOf('CRITICAL (1)');
  const low = lines.indexOf('LOW (1)');
  assert.ok(critical > 0 && low > critical);
  assert.equal(lines[critical + 1], '  ● SQL injection in GET /api/search (query parameter `query`)');
  assert.equal(lines[critical + 2], '    rule: sql-injection · endpoint: GET /api/search');
  assert.equal(lines[critical + 3], "    evidence: GET /api/search?query=' → 500");
  assert.ok(text.includes('    fix: Use parameterised queries.'));
  assert.ok(text.includes('evidence: GET / → no answer'));
  assert.ok(!text.includes('\u001b'), 'control characters from the target are neutralised');
});

test('no findings: says so, and the verdict is still last', () => {
  const text = renderText({ ...report, findings: [], verdict: { level: 'pass', text: 'PASS — no findings at or above low' } });
  assert.ok(text.includes('Findings: none'));
  assert.ok(text.endsWith('Verdict: PASS — no findings at or above low\n'));
});
