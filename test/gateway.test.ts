import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import WebSocket from 'ws';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.ts';
import { startHarness, type Harness } from './helpers/gateway-harness.ts';

describe('gateway data plane over real HTTP', () => {
  let h: Harness;
  let reader: { key: string; keyId: string; agentId: string };
  before(async () => {
    h = await startHarness();
    reader = await h.agentWithKey('reader-1', { labels: ['reader'], scopes: ['tasks:read'] });
  });
  after(() => h.close());

  it('401 without a credential, nothing forwarded, one audit record', async () => {
    const before = h.upstream.seen.length;
    const res = await h.request('/api/agents');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    const body = (await res.json()) as { code: string };
    assert.equal(body.code, 'credential_missing');
    assert.equal(h.upstream.seen.length, before);
    const rec = (await h.requestAudit()).filter((r) => r.requestId === res.headers.get('x-gatehouse-request-id'));
    assert.equal(rec.length, 1);
    assert.equal(rec[0]!.decision, 'deny');
    assert.deepEqual(rec[0]!.reasons, ['credential_missing']);
  });

  it('200 with a key; the upstream gets the verified identity and never the key', async () => {
    const res = await h.request('/api/agents?limit=5', { headers: { authorization: `Bearer ${reader.key}`, 'x-gatehouse-agent': 'admin', 'X-Gatehouse-Scopes': 'everything' } });
    assert.equal(res.status, 200);
    const seen = h.upstream.seen.at(-1)!;
    assert.equal(seen.url, '/api/agents?limit=5');
    assert.equal(seen.headers['x-gatehouse-agent'], 'reader-1');
    assert.equal(seen.headers['x-gatehouse-scopes'], 'tasks:read');
    assert.equal(seen.headers['x-gatehouse-agent-id'], reader.agentId);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    // hop-by-hop headers the upstream named in Connection are not passed back
    assert.equal(res.headers.get('x-drop-me'), null);
    assert.ok(res.headers.get('ratelimit-policy'));
    const rec = (await h.requestAudit()).at(-1)!;
    assert.equal(rec.decision, 'allow');
    assert.equal(rec.credentialId, reader.keyId);
    assert.equal(rec.upstreamStatus, 200);
    assert.ok(rec.reasons.includes('policy:readers-read'));
  });

  it('X-API-Key works too; Bearer and X-API-Key together are refused', async () => {
    assert.equal((await h.request('/api/x', { headers: { 'x-api-key': reader.key } })).status, 200);
    const both = await h.request('/api/x', { headers: { 'x-api-key': reader.key, authorization: `Bearer ${reader.key}` } });
    assert.equal(both.status, 401);
  });

  it('403 when the policy does not allow the method', async () => {
    const before = h.upstream.seen.length;
    const res = await h.request('/api/tasks', { method: 'POST', headers: { authorization: `Bearer ${reader.key}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.equal(h.upstream.seen.length, before);
    const rec = (await h.requestAudit()).at(-1)!;
    assert.deepEqual(rec.reasons, ['authenticated', 'default_deny']);
  });

  it('404 for paths no route covers', async () => {
    const res = await h.request('/admin', { headers: { authorization: `Bearer ${reader.key}` } });
    assert.equal(res.status, 404);
  });

  it('public routes need no credential and say so to the upstream', async () => {
    const res = await h.request('/public/info');
    assert.equal(res.status, 200);
    assert.equal(h.upstream.seen.at(-1)!.headers['x-gatehouse-auth'], 'public');
  });

  it('streams request bodies and Server-Sent Events', async () => {
    const w = await h.agentWithKey('writer-1', { labels: ['writer'] });
    const big = 'x'.repeat(200_000);
    const res = await h.request('/api/upload', { method: 'POST', headers: { authorization: `Bearer ${w.key}` }, body: big });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { bodyLength: number }).bodyLength, big.length);
    const sse = await h.request('/api/sse', { headers: { authorization: `Bearer ${reader.key}` } });
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    const text = await sse.text();
    assert.match(text, /data: event-1\n\ndata: event-2\n\ndata: event-3/);
  });

  it('proxies WebSocket upgrades only after authentication', async () => {
    const url = h.gw.dataUrl.replace('http', 'ws');
    const denied = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url}/api/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    assert.equal(denied, 401);
    const echoed = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${url}/api/ws`, { headers: { authorization: `Bearer ${reader.key}` } });
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => {
        resolve(String(m));
        ws.close();
      });
      ws.on('error', reject);
    });
    assert.equal(echoed, 'echo:hello');
  });

  it('504 when the upstream misses the route timeout, 502 when it is down; both audited as allowed-but-failed', async () => {
    const auth = { headers: { authorization: `Bearer ${reader.key}` } };
    const slow = await h.request('/slow/x?ms=2000', auth);
    assert.equal(slow.status, 504);
    assert.equal(((await slow.json()) as { code: string }).code, 'upstream_timeout');
    const down = await h.request('/down/x', auth);
    assert.equal(down.status, 502);
    const recs = (await h.requestAudit()).slice(-2);
    assert.deepEqual(recs.map((r) => r.reasons.at(-1)), ['upstream_timeout', 'upstream_error']);
  });

  it('a revocation or suspension written by another process applies to the very next request', async () => {
    const k = await h.agentWithKey('cached-1', { labels: ['reader'] });
    const auth = { headers: { authorization: `Bearer ${k.key}` } };
    assert.equal((await h.request('/api/a', auth)).status, 200);
    assert.equal((await h.request('/api/a', auth)).status, 200); // now served from the credential cache
    const other = await openStore(`sqlite:${join(h.dir, 'gatehouse.db')}`); // a second connection, as the CLI would open
    try {
      await other.updateAgent(k.agentId, { status: 'suspended', updatedAt: Date.now() });
      assert.equal((await h.request('/api/a', auth)).status, 401);
      await other.updateAgent(k.agentId, { status: 'active', updatedAt: Date.now() });
      assert.equal((await h.request('/api/a', auth)).status, 200);
      await other.updateApiKey(k.keyId, { revokedAt: Date.now() });
      assert.equal((await h.request('/api/a', auth)).status, 401);
    } finally {
      await other.close();
    }
  });

  it('reloads routes and policies atomically and rejects an invalid new config', async () => {
    const doc = parse(readFileSync(h.configFile, 'utf8')) as { policies: { rules: unknown[] }; routes: unknown[] };
    doc.policies.rules.push({ id: 'readers-post', agents: { labels: ['reader'] }, methods: ['POST'], paths: ['/api/notes'] });
    writeFileSync(h.configFile, stringify(doc));
    const ok = h.gw.reload();
    assert.equal(ok.ok, true);
    assert.equal((await h.request('/api/notes', { method: 'POST', headers: { authorization: `Bearer ${reader.key}` }, body: 'n' })).status, 200);
    writeFileSync(h.configFile, stringify({ ...doc, routes: [{ id: 'BAD ID', path: 'nope', upstream: 'x' }] }));
    const bad = h.gw.reload();
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /routes\[0\]\.id/);
    // the running config stayed
    assert.equal((await h.request('/api/notes', { method: 'POST', headers: { authorization: `Bearer ${reader.key}` }, body: 'n' })).status, 200);
  });
});
