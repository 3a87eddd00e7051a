import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dedupeFindings, sortFindings } from './findings.ts';
import type { Finding } from './types.ts';

const f = (over: Partial<Finding>): Finding => ({ rule: 'r', severity: 'low', title: 't', evidence: [], remediation: 'fix', ...over });

test('findings are deduplicated by rule and endpoint, keeping the worse severity and both evidences', () => {
  const out = dedupeFindings([
    f({ rule: 'sql-injection', endpoint: 'GET /api/search', severity: 'high', evidence: [{ request: 'GET /a', status: 500 }] }),
    f({ rule: 'sql-injection', endpoint: 'GET /api/search', severity: 'critical', title: 'worse', evidence: [{ request: 'GET /b', status: 200 }, { request: 'GET /a', status: 500 }] }),
    f({ rule: 'sql-injection', endpoint: 'GET /api/other' }),
    f({ rule: 'security-headers', title: 'missing HSTS' }),
    f({ rule: 'security-headers', title: 'missing CSP' }),
    f({ rule: 'security-headers', title: 'missing CSP' }),
  ]);
  assert.equal(out.length, 4);
  assert.equal(out[0]!.severity, 'critical');
  assert.equal(out[0]!.title, 'worse');
  assert.deepEqual(out[0]!.evidence.map((e) => e.request), ['GET /b', 'GET /a']);
});

test('sorted worst first, then by rule and endpoint', () => {
  const out = sortFindings([f({ severity: 'low', rule: 'b' }), f({ severity: 'critical', rule: 'z' }), f({ severity: 'low', rule: 'a', endpoint: 'GET /y' }), f({ severity: 'low', rule: 'a', endpoint: 'GET /x' })]);
  assert.deepEqual(out.map((x) => `${x.severity} ${x.rule} ${x.endpoint ?? ''}`.trim()), ['critical z', 'low a GET /x', 'low a GET /y', 'low b']);
});
