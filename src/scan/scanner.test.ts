import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer } from './raw-server.test-helper.ts';
import { runScan } from './scanner.ts';
import { BudgetExhausted, type ScanCheck, type ScanOptions } from './types.ts';

type Server = Awaited<ReturnType<typeof startRawServer>>;
let server: Server;
before(async () => {
  server = await startRawServer((req) => (req.line.startsWith('GET /echo') ? { body: `auth was ${req.headers.authorization}` } : { status: 404, body: '{"error":"not found"}' }));
});
after(() => server.close());

const options = (over: Partial<ScanOptions> = {}): ScanOptions => ({
  target: new URL(server.url), headers: {}, allowWrites: false, maxRequests: 2000, rate: 1000, timeoutMs: 5000, maxDelaySeconds: 3, ...over,
});

const check = (id: string, run: ScanCheck['run']): ScanCheck => ({ id, title: `Testing ${id}...`, run });

test('runs recon then every check in order; findings are deduplicated and sorted; the verdict follows the worst', async () => {
  const order: string[] = [];
  let text = '';
  const report = await runScan({
    options: options(),
    out: { write: (s: string) => (text += s) },
    checks: [
      check('one', async (ctx) => {
        order.push('one');
        assert.ok(Array.isArray(ctx.inventory));
        const req = { method: 'GET', target: '/echo' };
        const res = await ctx.probe.send(req);
        return [
          { rule: 'low-thing', severity: 'low', title: 'Low thing', evidence: [ctx.probe.evidence(req, res)], remediation: 'fix' },
          { rule: 'dup', severity: 'medium', title: 'Dup', endpoint: 'GET /x', evidence: [], remediation: 'fix' },
        ];
      }),
      check('two', async () => {
        order.push('two');
        return [{ rule: 'dup', severity: 'critical', title: 'Dup, worse', endpoint: 'GET /x', evidence: [], remediation: 'fix' }];
      }),
    ],
  });
  assert.deepEqual(order, ['one', 'two']);
  assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.rule}`), ['critical dup', 'low low-thing']);
  assert.equal(report.verdict.text, 'CRITICAL — complete system compromise possible');
  assert.equal(report.endpoints.length, 0);
  assert.ok(report.requestsSent > 100, 'recon probed the documentation locations and the wordlist');
  const messages = report.timeline.map((e) => e.message);
  assert.equal(messages[0], `Starting autonomous reconnaissance of ${server.url}/...`);
  assert.ok(messages.includes('Identified 0 API endpoints'));
  assert.ok(messages.indexOf('Testing one...') < messages.indexOf('Testing two...'));
  assert.ok(messages.includes('CRITICAL: Dup, worse'));
  assert.ok(text.includes('] Testing two...\n'));
  assert.match(text, /^\[00:00:\d\d\] Starting autonomous reconnaissance/);
});

test('a check that throws becomes an info finding and the scan continues', async () => {
  const report = await runScan({
    options: options(),
    checks: [check('broken', async () => Promise.reject(new Error('boom'))), check('fine', async () => [{ rule: 'x', severity: 'high', title: 'X', evidence: [], remediation: 'fix' }])],
  });
  assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.rule}`), ['high x', 'info check-failed']);
  assert.match(report.findings[1]!.title, /broken could not finish: boom/);
  assert.equal(report.verdict.text, 'HIGH — sensitive data or actions are exposed to anyone who can reach the API (1 check failed)');
});

test('an exhausted budget stops further checks and is reported; the budget is never exceeded', async () => {
  let ranAfter = false;
  const report = await runScan({
    options: options({ maxRequests: 150 }),
    checks: [
      check('greedy', async (ctx) => {
        for (;;) await ctx.probe.send({ method: 'GET', target: '/' });
      }),
      check('later', async () => {
        ranAfter = true;
        return [];
      }),
    ],
  });
  assert.equal(ranAfter, false);
  assert.equal(report.requestsSent, 150);
  const incomplete = report.findings.find((f) => f.rule === 'scan-incomplete');
  assert.equal(incomplete?.title, 'Scan incomplete: request budget exhausted after 150 requests; not run: greedy, later');
  assert.equal(report.verdict.text, 'PASS — no findings at or above low (scan incomplete)');
  assert.ok(report.timeline.some((e) => e.message.startsWith('Request budget exhausted after 150 requests')));
});

test('a budget exhausted during recon skips every check', async () => {
  let ran = false;
  const report = await runScan({ options: options({ maxRequests: 3 }), checks: [check('c', async () => ((ran = true), []))] });
  assert.equal(ran, false);
  assert.equal(report.requestsSent, 3);
  assert.ok(report.findings.some((f) => f.rule === 'scan-incomplete'));
});

test('a thrown BudgetExhausted from a check is not mistaken for a check failure', async () => {
  const report = await runScan({ options: options(), checks: [check('c', async () => Promise.reject(new BudgetExhausted()))] });
  assert.deepEqual(report.findings.map((f) => f.rule), ['scan-incomplete']);
});

test('operator header values are redacted from the timeline and evidence', async () => {
  const report = await runScan({
    options: options({ headers: { Authorization: 'Bearer opaque-operator-token' } }),
    checks: [
      check('echo', async (ctx) => {
        const req = { method: 'GET', target: '/echo' };
        const res = await ctx.probe.send(req);
        ctx.timeline.event(`echo said: ${res.body}`);
        return [{ rule: 'echo', severity: 'info', title: 'Echo', evidence: [ctx.probe.evidence(req, res)], remediation: 'fix' }];
      }),
    ],
  });
  const json = JSON.stringify(report);
  assert.ok(!json.includes('opaque-operator-token'));
  assert.ok(report.timeline.some((e) => e.message === 'echo said: auth was [REDACTED]'));
});

test('an aborted scan stops and says so', async () => {
  const ac = new AbortController();
  const report = await runScan({
    options: options(), signal: ac.signal,
    checks: [check('first', async () => (ac.abort(), [])), check('second', async () => [{ rule: 'never', severity: 'high', title: 'n', evidence: [], remediation: 'f' }])],
  });
  assert.equal(report.findings.some((f) => f.rule === 'never'), false);
  assert.match(report.findings.find((f) => f.rule === 'scan-incomplete')!.title, /^Scan incomplete: interrupted; not run: second$/);
});
