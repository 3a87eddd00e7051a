import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, Severity } from '../types.ts';
import { failsAt, verdict } from './verdict.ts';

const f = (severity: Severity, rule = 'r'): Finding => ({ rule, severity, title: `${severity} thing`, evidence: [], remediation: 'fix' });

test('the verdict is the worst severity found', () => {
  const cases: Array<[Severity[], string, RegExp]> = [
    [['low', 'critical', 'high'], 'critical', /^CRITICAL — complete system compromise possible$/],
    [['medium', 'high'], 'high', /^HIGH — /],
    [['low', 'medium'], 'medium', /^MEDIUM — /],
    [['info', 'low'], 'low', /^LOW — /],
    [['info'], 'pass', /^PASS — no findings at or above low$/],
    [[], 'pass', /^PASS — no findings at or above low$/],
  ];
  for (const [severities, level, text] of cases) {
    const v = verdict(severities.map((s) => f(s)));
    assert.equal(v.level, level, severities.join(','));
    assert.match(v.text, text);
  }
});

test('a scan that could not finish says so, even when it passes', () => {
  assert.equal(verdict([f('info', 'scan-incomplete')]).text, 'PASS — no findings at or above low (scan incomplete)');
  assert.equal(verdict([f('high'), f('info', 'check-failed'), f('info', 'check-failed')]).text.endsWith('(2 checks failed)'), true);
});

test('--fail-on: a finding at or above the threshold fails; none never fails', () => {
  const findings = [f('medium'), f('info')];
  assert.equal(failsAt(findings, 'critical'), false);
  assert.equal(failsAt(findings, 'high'), false);
  assert.equal(failsAt(findings, 'medium'), true);
  assert.equal(failsAt(findings, 'info'), true);
  assert.equal(failsAt([f('critical')], 'none'), false);
  assert.equal(failsAt([], 'info'), false);
});
