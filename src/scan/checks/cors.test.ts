import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsReflection, judgeCors, EVIL_ORIGIN } from './cors.ts';
import { ep, startServer, testContext, testProber } from './check-kit.test-helper.ts';

describe('judgeCors', () => {
  const rows: Array<[string, string, Record<string, string>, string | undefined, string | undefined]> = [
    ['reflected with credentials', EVIL_ORIGIN, { 'access-control-allow-origin': EVIL_ORIGIN, 'access-control-allow-credentials': 'true' }, 'cors/credentialed-reflection', 'high'],
    ['null origin with credentials', 'null', { 'access-control-allow-origin': 'null', 'access-control-allow-credentials': 'true' }, 'cors/credentialed-reflection', 'high'],
    ['wildcard with credentials', EVIL_ORIGIN, { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' }, 'cors/wildcard-credentials', 'high'],
    ['reflected without credentials', EVIL_ORIGIN, { 'access-control-allow-origin': EVIL_ORIGIN }, 'cors/reflection', 'low'],
    ['credentials header not "true"', EVIL_ORIGIN, { 'access-control-allow-origin': EVIL_ORIGIN, 'access-control-allow-credentials': 'false' }, 'cors/reflection', 'low'],
    ['wildcard alone (public API)', EVIL_ORIGIN, { 'access-control-allow-origin': '*' }, undefined, undefined],
    ['fixed allow-listed origin', EVIL_ORIGIN, { 'access-control-allow-origin': 'https://app.example', 'access-control-allow-credentials': 'true' }, undefined, undefined],
    ['no CORS headers', EVIL_ORIGIN, {}, undefined, undefined],
  ];
  for (const [name, origin, headers, rule, severity] of rows) {
    it(name, () => {
      const v = judgeCors(origin, headers);
      assert.equal(v?.rule, rule);
      assert.equal(v?.severity, severity);
    });
  }
});

describe('cors against live servers', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  const inventory = [ep('GET', '/api/agents'), ep('GET', '/api/tasks'), ep('POST', '/api/tasks')];
  const reflecting = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin) res.setHeader('access-control-allow-origin', req.headers.origin).setHeader('access-control-allow-credentials', 'true');
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end(req.method === 'OPTIONS' ? '' : '[]');
  };
  const allowList = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin === 'https://app.example') res.setHeader('access-control-allow-origin', 'https://app.example').setHeader('access-control-allow-credentials', 'true');
    res.writeHead(200).end('[]');
  };

  it('a server reflecting every origin with credentials → one high finding naming the endpoints', async () => {
    const srv = await startServer(reflecting);
    servers.push(srv);
    const probe = testProber(new URL(srv.url));
    const ctx = testContext(srv.url, { inventory, probe });
    const findings = await corsReflection.run(ctx);
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['cors/credentialed-reflection', 'high']]);
    assert.match(findings[0]!.title, /GET \/api\/agents, GET \/api\/tasks, POST \/api\/tasks/);
    assert.match(findings[0]!.evidence[0]!.response!, /access-control-allow-origin: https:\/\/evil\.example; access-control-allow-credentials: true/);
    // Safe without --allow-writes: the POST endpoint only ever sees a preflight.
    assert.deepEqual(probe.log.filter((r) => r.target === '/api/tasks').map((r) => r.method), ['GET', 'OPTIONS']);
  });

  it('a server with a fixed allow-list → nothing (false-positive control)', async () => {
    const srv = await startServer(allowList);
    servers.push(srv);
    assert.deepEqual(await corsReflection.run(testContext(srv.url, { inventory })), []);
  });
});
