import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeOf, runDoctor } from './doctor.ts';
import { renderJson, renderText } from './render.ts';
import { fail, pass, warn } from './result.ts';
import type { DoctorCheck, DoctorContext } from './types.ts';

// The checks below never look at the context.
const ctx = {} as DoctorContext;
const checks: DoctorCheck[] = [
  { id: 'one', title: 'First layer', run: () => [pass('bound to loopback'), warn('route "x" is public by choice', 'why\nhow')] },
  { id: 'boom', title: 'Broken layer', run: async () => { throw new Error('disk on fire\nstack…'); } },
  { id: 'quiet', title: 'Nothing to say', run: () => [] },
  { id: 'two', title: 'Second layer', run: async () => [fail('admin API answered 200 without a token', 'fix it')] },
];

describe('runDoctor', () => {
  it('keeps the registry order, turns a throwing check into a FAIL carrying the error, and counts', async () => {
    const report = await runDoctor(ctx, checks);
    assert.deepEqual(report.checks.map((l) => [l.id, l.status, l.message]), [
      ['one', 'pass', 'bound to loopback'],
      ['one', 'warn', 'route "x" is public by choice'],
      ['boom', 'fail', 'Broken layer: the check itself failed: disk on fire'],
      ['two', 'fail', 'admin API answered 200 without a token'],
    ]);
    assert.deepEqual(report.summary, { passed: 1, warnings: 1, failed: 2 });
    assert.equal(exitCodeOf(report), 1);
  });

  it('warnings alone exit 0', async () => {
    assert.equal(exitCodeOf(await runDoctor(ctx, [checks[0]!])), 0);
  });
});

describe('render', () => {
  it('text: numbered sections, PASS/WARN/FAIL lines, details indented under non-passing lines, the counts', async () => {
    const text = renderText(await runDoctor(ctx, checks), checks, { colour: false });
    assert.equal(text, [
      '=== Gatehouse deployment check ===', '',
      '[1] First layer', 'PASS  bound to loopback', 'WARN  route "x" is public by choice', '      why', '      how', '',
      '[2] Broken layer', 'FAIL  Broken layer: the check itself failed: disk on fire', '      The doctor could not verify this layer, so it is reported as failing.', '',
      '[3] Second layer', 'FAIL  admin API answered 200 without a token', '      fix it', '',
      '1 passed, 1 warnings, 2 failed', '',
    ].join('\n'));
  });

  it('text: colour only when asked; control characters from stored values are neutralised', async () => {
    const hostile: DoctorCheck[] = [{ id: 'h', title: 'H', run: () => [warn('route "\x1b[2Jx" is public by choice')] }];
    const report = await runDoctor(ctx, hostile);
    assert.match(renderText(report, hostile, { colour: false }), /^WARN {2}route "\?\[2Jx" is public by choice$/m);
    assert.ok(renderText(report, hostile, { colour: true }).includes('\x1b[33mWARN\x1b[0m'));
  });

  it('json: one document with every line and the summary', async () => {
    const doc = JSON.parse(renderJson(await runDoctor(ctx, checks))) as { checks: unknown[]; summary: unknown };
    assert.deepEqual(doc.checks[0], { id: 'one', status: 'pass', message: 'bound to loopback' });
    assert.deepEqual(doc.checks[1], { id: 'one', status: 'warn', message: 'route "x" is public by choice', detail: 'why\nhow' });
    assert.deepEqual(doc.summary, { passed: 1, warnings: 1, failed: 2 });
  });
});
