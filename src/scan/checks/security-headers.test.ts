import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerIssues, securityHeaders } from './security-headers.ts';
import { ep, startServer, testContext } from './check-kit.test-helper.ts';

const HARDENED = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
const res = (status: number, headers: Record<string, string>, body = '{"a":1}') => ({ status, headers, body, elapsedMs: 1 });

describe('headerIssues', () => {
  const rows: Array<[string, ReturnType<typeof res>, boolean, string[]]> = [
    ['bare JSON response', res(200, { 'content-type': 'application/json' }), false, ['nosniff', 'cache-control']],
    ['hardened JSON response', res(200, { 'content-type': 'application/json', ...HARDENED }), false, []],
    ['cache-control without no-store', res(200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'max-age=60' }), false, ['cache-control']],
    ['error responses need nosniff but not no-store', res(401, { 'content-type': 'application/json' }), false, ['nosniff']],
    ['empty body needs neither', res(204, {}, ''), false, []],
    ['https without HSTS', res(200, { 'content-type': 'application/json', ...HARDENED }), true, ['hsts']],
    ['https with HSTS', res(200, { 'content-type': 'application/json', ...HARDENED, 'strict-transport-security': 'max-age=31536000' }), true, []],
    ['bare HTML page', res(200, { 'content-type': 'text/html', 'x-content-type-options': 'nosniff' }, '<html>'), false, ['csp', 'frame-options']],
    ['HTML with CSP frame-ancestors', res(200, { 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; frame-ancestors 'none'" }, '<html>'), false, []],
    ['HTML with CSP but no framing rule', res(200, { 'content-type': 'text/html', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'" }, '<html>'), false, ['frame-options']],
    ['versions disclosed', res(204, { server: 'nginx/1.18.0', 'x-powered-by': 'Express' }, ''), false, ['version-disclosure:low', 'version-disclosure:info']],
    ['server name without version', res(204, { server: 'nginx' }, ''), false, []],
  ];
  for (const [name, response, https, expected] of rows) {
    it(name, () => {
      const issues = headerIssues(response, https).map((i) => (i.rule === 'version-disclosure' ? `${i.rule}:${i.severity}` : i.rule));
      assert.deepEqual(issues, expected);
    });
  }
});

describe('security-headers against live servers', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const inventory = [ep('GET', '/api/agents'), ep('GET', '/api/tasks'), ep('GET', '/api/users'), ep('GET', '/api/docs')];
  const bare = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-powered-by', 'Express 4.17.1');
    if (req.url === '/api/docs') res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  };
  const hardened = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.url === '/api/docs') res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'; frame-ancestors 'none'" }).end('<html></html>');
    else res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('[]');
  };

  it('a bare server → one finding per rule, aggregated over endpoints', async () => {
    const srv = await startServer(bare);
    servers.push(srv);
    const findings = await securityHeaders.run(testContext(srv.url, { inventory }));
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]).sort(), [
      ['security-headers/cache-control', 'low'], ['security-headers/csp', 'low'], ['security-headers/frame-options', 'low'],
      ['security-headers/nosniff', 'low'], ['security-headers/version-disclosure', 'low'],
    ]);
    const nosniff = findings.find((f) => f.rule === 'security-headers/nosniff')!;
    assert.match(nosniff.title, /\(4 endpoints\)$/);
    assert.equal(nosniff.evidence.length, 3);
  });

  it('a hardened server → nothing (false-positive control)', async () => {
    const srv = await startServer(hardened);
    servers.push(srv);
    assert.deepEqual(await securityHeaders.run(testContext(srv.url, { inventory })), []);
  });
});
