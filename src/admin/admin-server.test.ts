import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashApiKey } from '../core/api-key-format.ts';
import { Metrics } from '../obs/metrics.ts';
import { silentLogger } from '../obs/logger.ts';
import { ADMIN_API } from './admin-api.ts';
import type { AdminOps } from './admin-ops.ts';
import { createAdminHandler } from './admin-server.ts';
import { useAdminServer } from './admin-fixture.test-helper.ts';

const fx = useAdminServer();

interface Answer { status: number; headers: Headers; text: string; json: any } // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(path: string, opts: { method?: string; token?: string | null; body?: string | object; headers?: Record<string, string>; base?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== null) headers.authorization ??= `Bearer ${opts.token ?? fx.srv.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${opts.base ?? fx.srv.url}${path}`, { method: opts.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function assertProblem(a: Answer, status: number, code: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.headers.get('content-type'), 'application/problem+json');
  assert.equal(a.json.code, code);
  assert.equal(a.json.status, status);
}

describe('authentication', () => {
  const guarded: [string, string][] = [
    ['GET', '/v1/agents'], ['POST', '/v1/agents'], ['GET', '/v1/agents/x'], ['POST', '/v1/keys/key_x/revoke'], ['GET', '/v1/audit'],
    ['GET', '/v1/openapi.json'], ['GET', '/metrics'], ['GET', '/nope'], ['GET', '/'], ['DELETE', '/v1/agents'], ['GET', '/docs'],
  ];

  test('without a token every endpoint but the probes is 401 problem+json, even unknown paths', async () => {
    for (const [method, path] of guarded) {
      const a = await call(path, { method, token: null });
      assertProblem(a, 401, 'admin_token_required');
      assert.match(a.headers.get('www-authenticate') ?? '', /^Bearer realm="gatehouse-admin"$/, path);
    }
  });

  test('a wrong, malformed or non-bearer token is 401 with invalid_token', async () => {
    const wrong = `gta_${'A'.repeat(43)}`;
    for (const authorization of [`Bearer ${wrong}`, `Bearer ${fx.srv.token}x`, `Basic ${Buffer.from('admin:admin').toString('base64')}`, `Bearer ${fx.srv.token} extra`]) {
      const a = await call('/v1/agents', { headers: { authorization } });
      assertProblem(a, 401, 'admin_token_required');
    }
    const a = await call('/v1/agents', { token: wrong });
    assert.match(a.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  test('healthz and readyz need no token and reveal nothing else', async () => {
    const h = await call('/healthz', { token: null });
    assert.equal(h.status, 200);
    assert.deepEqual(h.json, { status: 'ok' });
    const r = await call('/readyz', { token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ready', checks: { store: 'ok' } });
  });

  test('the OpenAPI document is served only with the token and lists every operation', async () => {
    assertProblem(await call('/v1/openapi.json', { token: null }), 401, 'admin_token_required');
    const a = await call('/v1/openapi.json');
    assert.equal(a.status, 200);
    assert.equal(a.json.openapi, '3.1.0');
    for (const [name, op] of Object.entries(ADMIN_API)) {
      assert.equal(a.json.paths[op.path]?.[op.method.toLowerCase()]?.operationId, name, name);
    }
    assert.deepEqual(a.json.paths['/healthz'].get.security, []);
    assert.equal(a.json.paths['/v1/agents'].post.requestBody.content['application/json'].schema.additionalProperties, false);
  });

  test('metrics need the token and are Prometheus text', async () => {
    const a = await call('/metrics');
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(a.text, /# TYPE gatehouse_requests_total counter/);
  });
});

describe('errors', () => {
  test('unknown path → 404, wrong method → 405 with Allow, bad escape → 400', async () => {
    assertProblem(await call('/v1/nothing'), 404, 'not_found');
    assertProblem(await call('/v1/agents/'), 404, 'not_found');
    const m = await call('/v1/agents/x/suspend');
    assertProblem(m, 405, 'method_not_allowed');
    assert.equal(m.headers.get('allow'), 'POST');
    assertProblem(await call('/v1/agents/%ZZ'), 400, 'invalid_request');
  });

  test('bodies: field errors name the field; bad JSON, wrong type, oversized', async () => {
    const bad = await call('/v1/agents', { method: 'POST', body: { name: 'a', labels: 'reader' } });
    assertProblem(bad, 400, 'invalid_request');
    assert.match(bad.json.detail, /body\.labels/);
    const extra = await call('/v1/agents', { method: 'POST', body: { name: 'a', colour: 'red' } });
    assert.match(extra.json.detail, /body\.colour: unknown key/);
    assertProblem(await call('/v1/agents', { method: 'POST', body: '{"name":' }), 400, 'invalid_json');
    assertProblem(await call('/v1/agents', { method: 'POST', body: '{"name":"a"}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    assertProblem(await call('/v1/agents', { method: 'POST', body: { name: 'a', description: 'x'.repeat(70_000) } }), 413, 'body_too_large');
    assertProblem(await call('/v1/agents/nobody/suspend', { method: 'POST', body: { force: true } }), 400, 'invalid_request');
  });

  test('queries: unknown, repeated or malformed parameters → 400 naming them', async () => {
    assert.match((await call('/v1/audit?limit=abc')).json.detail, /query\.limit/);
    assert.match((await call('/v1/audit?colour=red')).json.detail, /query\.colour: unknown key/);
    assert.match((await call('/v1/audit?kind=admin&kind=request')).json.detail, /"kind" is repeated/);
    assertProblem(await call('/v1/audit?limit=5000'), 400, 'limit_invalid');
  });

  test('service errors pass through with their code; 5xx never leak internals', async () => {
    assertProblem(await call('/v1/agents/nobody'), 404, 'agent_not_found');
    const failing = { listAgents: async () => { throw new Error('connect ECONNREFUSED db.internal:5432 password=hunter2'); } } as unknown as AdminOps;
    const server = createServer(createAdminHandler({
      ops: failing, verifyToken: async (t) => t === fx.srv.token, metrics: new Metrics({ defaultMetrics: false }), logger: silentLogger(),
      ready: async () => ({ ok: false, checks: { store: 'ECONNREFUSED db.internal:5432' } }),
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const a = await call('/v1/agents', { base });
      assertProblem(a, 500, 'internal_error');
      assert.doesNotMatch(a.text, /ECONNREFUSED|hunter2|db\.internal|at /);
      const r = await call('/readyz', { base, token: null });
      assert.equal(r.status, 503);
      assert.deepEqual(r.json, { status: 'not_ready', checks: { store: 'fail' } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('operations', () => {
  test('create an agent → 201; a duplicate → 409 agent_exists', async () => {
    const a = await call('/v1/agents', { method: 'POST', body: { name: 'billing-bot', labels: ['reader'], scopes: ['invoices:read'] } });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.name, 'billing-bot');
    assert.equal(a.json.owner, 'admin-api');
    assert.equal((await call(`/v1/agents/${a.json.id}`)).json.name, 'billing-bot');
    assertProblem(await call('/v1/agents', { method: 'POST', body: { name: 'billing-bot' } }), 409, 'agent_exists');
  });

  test('an issued key is returned once, no-store; listings never show the key or its hash', async () => {
    await call('/v1/agents', { method: 'POST', body: { name: 'key-bot', scopes: ['a', 'b'] } });
    const issued = await call('/v1/agents/key-bot/keys', { method: 'POST', body: { scopes: ['a'], ttlDays: 7 } });
    assert.equal(issued.status, 201, issued.text);
    assert.equal(issued.headers.get('cache-control'), 'no-store');
    const key: string = issued.json.key;
    assert.deepEqual(issued.json.record.scopes, ['a']);
    assert.equal((await fx.tc.core.keys.authenticate(key)).ok, true, 'the returned key works');
    const hash = hashApiKey(fx.tc.core.secret.reveal(), key);
    for (const path of ['/v1/keys', '/v1/keys?agent=key-bot', '/v1/audit?limit=1000']) {
      const listed = await call(path);
      assert.equal(listed.status, 200);
      assert.ok(!listed.text.includes(key) && !listed.text.includes(hash), `${path} leaks the key`);
    }
    const keys = (await call('/v1/keys?agent=key-bot')).json.keys;
    assert.equal(keys.length, 1);
    assert.equal('hash' in keys[0], false);
    const rotated = await call(`/v1/keys/${issued.json.record.id}/rotate`, { method: 'POST', body: { overlapHours: 0 } });
    assert.equal(rotated.status, 201, rotated.text);
    assert.equal(rotated.json.previous.replacedBy, rotated.json.record.id);
    assert.equal((await call(`/v1/keys/${rotated.json.record.id}/revoke`, { method: 'POST' })).json.revokedAt !== null, true);
    assertProblem(await call('/v1/keys/key_nope/revoke', { method: 'POST' }), 404, 'key_not_found');
  });

  test('admin changes are audited with the admin-api actor, and the audit query filters', async () => {
    await call('/v1/agents', { method: 'POST', body: { name: 'audited' } });
    assert.equal((await call('/v1/agents/audited/suspend', { method: 'POST' })).json.status, 'suspended');
    assertProblem(await call('/v1/agents/audited/keys', { method: 'POST', body: {} }), 409, 'agent_not_active');
    const a = await call('/v1/audit?agent=audited&kind=admin&order=asc');
    assert.equal(a.status, 200);
    assert.deepEqual(a.json.records.map((r: { action: string }) => r.action), ['agent.create', 'agent.suspend']);
    assert.ok(a.json.records.every((r: { actor: string }) => r.actor === 'admin-api'));
    const page = await call(`/v1/audit?after=${a.json.records[0].seq}&limit=1&order=asc`);
    assert.equal(page.json.records.length, 1);
    assert.equal(page.json.records[0].seq, a.json.records[0].seq + 1);
    assert.deepEqual((await call('/v1/audit?decision=deny')).json.records, []);
    const v = await call('/v1/audit/verify');
    assert.equal(v.json.ok, true);
    assert.ok(v.json.count >= 2);
  });

  test('routes, policies and explain', async () => {
    assert.deepEqual((await call('/v1/routes')).json.routes.map((r: { id: string }) => r.id), ['api']);
    const p = (await call('/v1/policies')).json;
    assert.deepEqual(p.ids, ['readers-can-read']);
    assert.match(p.cedar, /@id\("readers-can-read"\)/);
    await call('/v1/agents', { method: 'POST', body: { name: 'reader-bot', labels: ['reader'] } });
    const explain = (q: string) => call(`/v1/policies/explain?agent=reader-bot&${q}`).then((r) => r.json);
    const allow = await explain('method=get&path=/api/x/../y');
    assert.equal(allow.decision, 'allow');
    assert.equal(allow.path, '/api/y');
    assert.equal(allow.routeId, 'api');
    assert.deepEqual(allow.reasons, ['policy_permit', 'policy:readers-can-read']);
    assert.match(allow.policies[0].text, /permit/);
    assert.deepEqual((await explain('method=POST&path=/api/x')).reasons, ['default_deny']);
    assert.deepEqual((await explain('method=GET&path=/elsewhere')).reasons, ['no_route']);
    assert.deepEqual((await explain(`method=GET&path=${encodeURIComponent('/api/..%2fadmin')}`)).reasons, ['path_encoded_separator']);
    assert.equal((await call('/v1/policies/explain?agent=audited&method=GET&path=/api/x')).json.decision, 'deny', 'explains suspended agents too');
    assertProblem(await call('/v1/policies/explain?agent=reader-bot&method=GET'), 400, 'invalid_request');
  });
});
