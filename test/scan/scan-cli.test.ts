import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture, cliContext, spawnCli } from '../../src/cli/cli-harness.test-helper.ts';
import { runCli } from '../../src/cli/cli.ts';
import { parseHeaders, scanCommand } from '../../src/cli/commands/scan.ts';
import type { ScanCheck, ScanReport, Severity } from '../../src/scan/types.ts';

let server: Server;
let url: string;
let dir: string;
const seen: Array<{ url: string; auth: string | undefined; custom: string | undefined }> = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-scan-cli-'));
  server = createServer((req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization, custom: req.headers['x-tenant'] as string | undefined });
    // A document only the operator knows about (and only with their credentials): --openapi URL.
    if (req.url === '/private/spec.json' && req.headers.authorization === 'Bearer cli-secret-value-1') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"swagger":"2.0","paths":{"/api/hidden":{"delete":{}}}}');
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** A check that reports one finding of each given severity. */
const reporting = (...severities: Severity[]): ScanCheck[] => [{
  id: 'fake', title: 'Testing fake...',
  run: async () => severities.map((severity, i) => ({ rule: `fake-${i}`, severity, title: `${severity} finding`, evidence: [], remediation: 'fix it' })),
}];

async function scan(args: string[], checks: ScanCheck[] = []) {
  const c = capture();
  const code = await scanCommand(cliContext(dir), [...args, '--rate', '1000'], c, { checks });
  return { code, out: c.text.out, err: c.text.err };
}

describe('gatehouse scan: exit codes and --fail-on', () => {
  test('default --fail-on high: a high finding fails, a medium one does not', async () => {
    assert.equal((await scan([url, '--max-requests', '300'], reporting('high'))).code, 1);
    assert.equal((await scan([url, '--max-requests', '300'], reporting('medium', 'low'))).code, 0);
  });

  test('--fail-on moves the threshold; none never fails', async () => {
    const cases: Array<[string, Severity[], number]> = [
      ['critical', ['high'], 0], ['critical', ['critical'], 1], ['medium', ['medium'], 1], ['low', ['info'], 0], ['info', ['info'], 1], ['none', ['critical'], 0],
    ];
    for (const [level, found, code] of cases) assert.equal((await scan([url, '--fail-on', level], reporting(...found))).code, code, `${level} ${found}`);
  });

  test('no findings: exit 0 and the text report ends with the PASS verdict', async () => {
    const r = await scan([url]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^\[00:00:\d\d\] Starting autonomous reconnaissance of http:\/\/127\.0\.0\.1:\d+\/\.\.\.$/m);
    assert.ok(r.out.endsWith('Verdict: PASS — no findings at or above low\n'));
    assert.equal(r.err, '');
  });
});

describe('gatehouse scan: output formats', () => {
  test('--json: stdout holds exactly the report; the timeline goes to stderr', async () => {
    const r = await scan([url, '--json'], reporting('critical'));
    const report = JSON.parse(r.out) as ScanReport;
    assert.equal(report.verdict.level, 'critical');
    assert.equal(report.findings[0]!.title, 'critical finding');
    assert.ok(report.requestsSent > 0);
    assert.match(r.err, /\] Testing fake\.\.\.\n/);
    assert.equal(r.code, 1);
  });

  test('--sarif: stdout holds exactly one SARIF 2.1.0 log', async () => {
    const r = await scan([url, '--sarif'], reporting('medium'));
    const log = JSON.parse(r.out) as { version: string; runs: Array<{ results: Array<{ level: string }> }> };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0]!.results.map((x) => x.level), ['warning']);
    assert.match(r.err, /Starting autonomous reconnaissance/);
  });

  test('--header values are sent on requests and never printed', async () => {
    const start = seen.length;
    const r = await scan([url, '--json', '--header', 'Authorization: Bearer cli-secret-value-1', '--header', 'X-Tenant: acme']);
    const mine = seen.slice(start);
    assert.ok(mine.some((s) => s.auth === 'Bearer cli-secret-value-1' && s.custom === 'acme'));
    assert.ok(!r.out.includes('cli-secret-value-1') && !r.err.includes('cli-secret-value-1'));
  });

  test('--openapi FILE feeds the inventory', async () => {
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths:\n  /api/things/{id}:\n    get: {}\n');
    const r = await scan(['--json', url, '--openapi', 'spec.yaml']);
    const report = JSON.parse(r.out) as ScanReport;
    assert.deepEqual(report.endpoints.map((e) => `${e.method} ${e.path}`), ['GET /api/things/{id}']);
  });

  test('--openapi URL on the target is fetched with the operator\'s headers', async () => {
    const r = await scan(['--json', url, '--openapi', `${url}/private/spec.json`, '--header', 'Authorization: Bearer cli-secret-value-1']);
    const report = JSON.parse(r.out) as ScanReport;
    assert.ok(report.endpoints.some((e) => e.method === 'DELETE' && e.path === '/api/hidden'));
    // Without the credentials the server says 404: a usage error before any scanning.
    await assert.rejects(scan(['--json', url, '--openapi', `${url}/private/spec.json`]), /cannot fetch --openapi .*\(HTTP 404\)/);
  });
});

describe('gatehouse scan: usage errors exit 2', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no target', [], /missing argument/],
    ['non-loopback without --authorized', ['http://192.0.2.10:8080'], /not a loopback address.*--authorized/],
    ['--json with --sarif', ['URL', '--json', '--sarif'], /cannot be combined/],
    ['bad --fail-on', ['URL', '--fail-on', 'severe'], /--fail-on must be one of critical\|high\|medium\|low\|info\|none/],
    ['--max-delay over the cap', ['URL', '--max-delay', '11'], /--max-delay must be a whole number from 1 to 10/],
    ['--max-requests not a number', ['URL', '--max-requests', 'lots'], /--max-requests must be a whole number/],
    ['malformed --header', ['URL', '--header', 'no colon'], /--header must look like 'Name: value'/],
    ['missing --openapi file', ['URL', '--openapi', 'nope.json'], /cannot read --openapi nope\.json \(ENOENT\)/],
    ['--openapi that is not a document', ['URL', '--openapi', 'package.json'], /is not an OpenAPI 3 or Swagger 2 document/],
    ['unknown option', ['URL', '--fast'], /Unknown option '--fast'/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      writeFileSync(join(dir, 'package.json'), '{"name":"x"}');
      const c = capture();
      const code = await runCli(['scan', ...args.map((a) => (a === 'URL' ? url : a)), '--rate', '1000'], c, { cwd: dir, env: {} });
      assert.equal(code, 2);
      assert.match(c.text.err, message);
      assert.equal(c.text.out, '');
    });
  }

  test('--help prints the usage, naming the authorization flag, and exits 0', async () => {
    const c = capture();
    assert.equal(await runCli(['scan', '--help'], c, { cwd: dir, env: {} }), 0);
    assert.match(c.text.out, /--authorized +state that you are authorized to test this target/);
  });
});

test('parseHeaders refuses framing headers, duplicates and control characters', () => {
  assert.deepEqual(parseHeaders(['X-API-Key:  k1 ', 'Cookie: a=b']), { 'X-API-Key': 'k1', Cookie: 'a=b' });
  for (const bad of [['Host: evil'], ['Content-Length: 5'], ['A: 1', 'a: 2'], ['A: x\ry'], [': v']]) assert.throws(() => parseHeaders(bad), { name: 'UsageError' });
});

test('the real CLI: --json prints one JSON document on stdout and the exit code follows --fail-on', async () => {
  const r = await spawnCli(['scan', url, '--json', '--max-requests', '400', '--rate', '1000', '--fail-on', 'high'], { cwd: dir });
  const report = JSON.parse(r.stdout) as ScanReport;
  const failing = report.findings.some((f) => f.severity === 'critical' || f.severity === 'high');
  assert.equal(r.code, failing ? 1 : 0);
  assert.match(r.stderr, /Identified \d+ API endpoints/);
});
