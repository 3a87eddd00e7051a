import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeHits, secretsFinding, secretsInResponses } from './secrets-in-responses.ts';
import { ep, startServer, testContext, testProber } from './check-kit.test-helper.ts';

describe('secretsFinding', () => {
  it('lists a repeated value shape once, with a count', () => {
    const hit = { kind: 'password or secret field "password_hash"', severity: 'high' as const, redacted: '$2…' };
    assert.equal(describeHits([hit, hit, hit]), 'password or secret field "password_hash": $2… (×3)');
  });

  const rows: Array<[string, Array<'critical' | 'high'>, string]> = [
    ['one API key', ['high'], 'high'],
    ['a cloud key among others', ['high', 'critical'], 'critical'],
  ];
  for (const [name, severities, expected] of rows) {
    it(name, () => {
      const hits = severities.map((severity, i) => ({ kind: `k${i}`, severity, redacted: 'ab…' }));
      assert.equal(secretsFinding('GET /x', { request: 'GET /x' }, hits).severity, expected);
      assert.equal(describeHits(hits), severities.map((_s, i) => `k${i}: ab…`).join('; '));
    });
  }
});

describe('secrets-in-responses against live servers', () => {
  const leaky = { '/api/config': '{"env":{"OPENAI_API_KEY":"sk-test-0123456789abcdefghij","AWS_ACCESS_KEY_ID":"AKIAIOSFODNN7EXAMPLE"}}', '/api/users': '[{"name":"a","password":"hunter2hunter2"}]', '/api/agents': '[{"id":1}]' } as Record<string, string>;
  const safe = { '/api/config': '{"env":{"OPENAI_API_KEY":"[REDACTED]"}}', '/api/users': '[{"name":"a","password":"********"}]', '/api/agents': '[{"id":1,"tokens_used":5}]' } as Record<string, string>;
  const serve = (bodies: Record<string, string>) => startServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(bodies[req.url ?? ''] ?? '{}'));
  const servers: Array<{ close(): Promise<void> }> = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const inventory = [ep('GET', '/api/config'), ep('GET', '/api/users'), ep('GET', '/api/agents'), ep('POST', '/api/agents'), ep('GET', '/api/config')];

  it('reports each leaking response once, redacted, and fetches each GET endpoint once', async () => {
    const srv = await serve(leaky);
    servers.push(srv);
    const probe = testProber(new URL(srv.url));
    const findings = await secretsInResponses.run(testContext(srv.url, { inventory, probe }));
    assert.deepEqual(probe.log.map((r) => `${r.method} ${r.target}`), ['GET /api/config', 'GET /api/users', 'GET /api/agents']);
    assert.deepEqual(findings.map((f) => [f.endpoint, f.severity]), [['GET /api/config', 'critical'], ['GET /api/users', 'high']]);
    const shown = JSON.stringify(findings);
    for (const secret of ['0123456789abcdef', 'IOSFODNN7', 'hunter2hunter2']) assert.ok(!shown.includes(secret), `${secret} not redacted`);
    assert.match(findings[0]!.evidence[0]!.response!, /^AWS access key id: AKIA…; API key \(sk-…\): sk-tes…$/);
  });

  it('finds nothing when values are masked (false-positive control)', async () => {
    const srv = await serve(safe);
    servers.push(srv);
    assert.deepEqual(await secretsInResponses.run(testContext(srv.url, { inventory })), []);
  });

  it('stops quietly with what it has when the request budget runs out', async () => {
    const srv = await serve(leaky);
    servers.push(srv);
    const ctx = testContext(srv.url, { inventory, probe: testProber(new URL(srv.url), 1) });
    const findings = await secretsInResponses.run(ctx);
    assert.deepEqual(findings.map((f) => f.endpoint), ['GET /api/config']);
    assert.deepEqual(ctx.events, ['secrets-in-responses: request budget exhausted (--max-requests); results are partial']);
  });
});
