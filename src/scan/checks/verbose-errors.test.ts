import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorProbes, verboseErrors, verboseErrorsFinding } from './verbose-errors.ts';
import { ep, startServer, testContext, testProber } from './check-kit.test-helper.ts';

const inventory = [
  ep('GET', '/api/items'),
  ep('GET', '/api/items/{id}', [{ name: 'id', in: 'path', example: '1' }]),
  ep('GET', '/api/search', [{ name: 'q', in: 'query' }]),
  ep('POST', '/api/items', [{ name: 'title', in: 'body' }]),
];

describe('errorProbes', () => {
  it('bad path ids, bad query values, a garbage id under collections, an unknown path; no writes by default', () => {
    const targets = errorProbes(inventory, false).map((p) => `${p.req.method} ${p.req.target}`);
    assert.deepEqual(targets, [
      "GET /api/items/gatehouse-scan%27%22", `GET /api/items/${'9'.repeat(400)}`, 'GET /api/items/%00', 'GET /api/items/%zz',
      'GET /api/search?q=%27%22', 'GET /api/search?q[]=1&q[]=2', 'GET /api/search?q=%00',
      // `/api/items/<garbage>` from the collection is the same request as the path-id probe: sent once.
      'GET /gatehouse-scan-not-found/%00',
    ]);
  });

  it('malformed JSON bodies only with allowWrites', () => {
    const writes = errorProbes(inventory, true).filter((p) => p.req.method !== 'GET');
    assert.deepEqual(writes.map((p) => [p.label, p.req.body]), [['POST /api/items', '{"gatehouse-scan": ']]);
  });
});

describe('verboseErrorsFinding', () => {
  const obs = (label: string, kind: 'sql' | 'stack' | 'internal-path') => ({ label, leaks: [{ kind, label: kind, at: 0 }], evidence: { request: label } });
  const rows: Array<[string, ReturnType<typeof obs>[], string | undefined, string | undefined]> = [
    ['nothing observed', [], undefined, undefined],
    ['stack traces only', [obs('GET /a', 'stack'), obs('GET /b', 'stack')], 'medium', 'GET /a'],
    ['SQL text anywhere makes it high and leads the evidence', [obs('GET /a', 'stack'), obs('GET /s', 'sql')], 'high', 'GET /s'],
    ['paths only', [obs('GET /a', 'internal-path')], 'low', 'GET /a'],
  ];
  for (const [name, observations, severity, endpoint] of rows) {
    it(name, () => {
      const f = verboseErrorsFinding(observations);
      assert.equal(f?.severity, severity);
      assert.equal(f?.endpoint, endpoint);
    });
  }
});

describe('verbose-errors against live servers', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const naive = (req: IncomingMessage, res: ServerResponse) => {
    try {
      const id = decodeURIComponent((req.url ?? '').split('/')[3] ?? '');
      if (!/^\d+$/.test(id)) throw new TypeError(`bad id ${id.length}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1}');
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end((err as Error).stack);
    }
  };
  const careful = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"type":"about:blank","title":"Bad Request","status":400}');

  it('a server that sends stacks → one medium finding with a stack excerpt', async () => {
    const srv = await startServer(naive);
    servers.push(srv);
    const ctx = testContext(srv.url, { inventory });
    const findings = await verboseErrors.run(ctx);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'medium');
    assert.match(findings[0]!.title, /Node\.js stack trace/);
    assert.match(findings[0]!.evidence[0]!.response!, /at .*verbose-errors\.test\.ts:\d+:\d+/);
  });

  it('a server that answers problems without internals → nothing (false-positive control)', async () => {
    const srv = await startServer(careful);
    servers.push(srv);
    const probe = testProber(new URL(srv.url));
    assert.deepEqual(await verboseErrors.run(testContext(srv.url, { inventory, probe })), []);
    assert.equal(probe.sent, 8);
  });
});
