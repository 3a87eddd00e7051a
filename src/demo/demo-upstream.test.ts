import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { escapeLike } from './demo-db.ts';
import { DEMO_CREDENTIALS } from './demo-seed.ts';
import { startDemoUpstream } from './demo-upstream.ts';
import type { DemoUpstream } from './demo-upstream.ts';

let up: DemoUpstream;
before(async () => {
  up = await startDemoUpstream({ sseIntervalMs: 5 });
});
after(() => up.close());

// Tests read response JSON loosely and assert on its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(up.url + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('agents', () => {
  test('lists, gets, restarts and lists tasks of an agent', async () => {
    const list = await call('/api/agents');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.map((a: { name: string }) => a.name), ['billing-bot', 'research-agent', 'support-triage']);

    const one = await call('/api/agents/support-triage');
    assert.equal(one.body.status, 'stopped');

    const restarted = await call('/api/agents/support-triage/restart', { method: 'POST' });
    assert.equal(restarted.status, 200);
    assert.equal(restarted.body.status, 'running');
    assert.equal(restarted.body.restarts, one.body.restarts + 1);

    const tasks = await call('/api/agents/billing-bot/tasks');
    assert.ok(tasks.body.length >= 2);
    assert.ok(tasks.body.every((t: { agent: string }) => t.agent === 'billing-bot'));
  });

  test('unknown agent is 404 JSON for every agent endpoint', async () => {
    for (const [path, method] of [['/api/agents/nobody', 'GET'], ['/api/agents/nobody/restart', 'POST'], ['/api/agents/nobody/tasks', 'GET']]) {
      const r = await call(path!, { method: method! });
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error, 'not_found');
    }
  });
});

describe('tasks', () => {
  test('create, read, delete', async () => {
    const created = await call('/api/tasks', postJson({ agent: 'research-agent', title: 'Read the audit report' }));
    assert.equal(created.status, 201);
    assert.equal(created.body.title, 'Read the audit report');
    assert.equal(created.body.status, 'queued');

    assert.equal((await call(`/api/tasks/${created.body.id}`)).body.agent, 'research-agent');
    assert.ok((await call('/api/tasks')).body.some((t: { id: number }) => t.id === created.body.id));

    const del = await call(`/api/tasks/${created.body.id}`, { method: 'DELETE' });
    assert.deepEqual(del.body, { deleted: true, id: created.body.id });
    assert.equal((await call(`/api/tasks/${created.body.id}`)).status, 404);
    assert.equal((await call(`/api/tasks/${created.body.id}`, { method: 'DELETE' })).status, 404);
  });

  const bad: Array<[string, RequestInit, number, RegExp]> = [
    ['missing title', postJson({ agent: 'billing-bot' }), 400, /^title: /],
    ['title not a string', postJson({ agent: 'billing-bot', title: 42 }), 400, /^title: /],
    ['blank title', postJson({ agent: 'billing-bot', title: '   ' }), 400, /^title: /],
    ['extra key', postJson({ agent: 'billing-bot', title: 'x', admin: true }), 400, /admin/],
    ['array body', postJson([1, 2]), 400, /^body: /],
    ['not JSON', postJson('{"agent":'), 400, /not valid JSON/],
    ['wrong content type', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, /application\/json/],
    ['too large', postJson({ agent: 'billing-bot', title: 'x'.repeat(20_000) }), 413, /at most 16384 bytes/],
    ['unknown agent', postJson({ agent: 'ghost', title: 'haunt' }), 404, /ghost/],
  ];
  for (const [name, init, status, message] of bad) {
    test(`rejects ${name} with ${status} and a clear message`, async () => {
      const r = await call('/api/tasks', init);
      assert.equal(r.status, status);
      assert.match(r.body.message, message);
      assert.equal(JSON.stringify(r.body).includes('    at '), false, 'no stack trace');
    });
  }

  test('non-numeric task id is 400', async () => {
    assert.equal((await call('/api/tasks/1%20OR%201=1')).status, 400);
  });
});

describe('files', () => {
  test('lists and reads files from the table only', async () => {
    const list = await call('/api/files');
    assert.ok(list.body.some((f: { name: string }) => f.name === 'prompts.md'));
    assert.equal(list.body[0].content, undefined, 'the listing carries no content');
    const file = await call('/api/files/agent-config.json');
    assert.equal(file.body.contentType, 'application/json');
    assert.match(file.body.content, /temperature/);
  });

  test('path-like names find nothing on disk', async () => {
    for (const name of ['..%2F..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', 'package.json']) {
      const r = await call(`/api/files/${name}`);
      assert.equal(r.status, 404, name);
    }
  });
});

describe('search', () => {
  const search = (q: string) => call(`/api/search?query=${encodeURIComponent(q)}`);

  test('finds agents and tasks by literal text', async () => {
    const r = await search('invoice');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results.map((h: { type: string }) => h.type).sort(), ['agent', 'task']);
  });

  for (const attack of [
    "' OR '1'='1",
    "' OR 1=1--",
    "%' UNION SELECT service, secret, 1, 1, 1 FROM integration_credentials--",
    "x'); DROP TABLE tasks;--",
  ]) {
    test(`injection attempt returns literal matches only: ${attack}`, async () => {
      const r = await search(attack);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.results, []);
      for (const { secret } of DEMO_CREDENTIALS) assert.equal(JSON.stringify(r.body).includes(secret), false);
    });
  }

  test('tables survive injection attempts', async () => {
    assert.ok((await call('/api/tasks')).body.length > 0);
  });

  test('LIKE wildcards match literally', async () => {
    const percent = await search('%');
    assert.deepEqual(percent.body.results.map((h: { title: string }) => h.title), ['Escalate tickets at 100% SLA usage']);
    assert.deepEqual((await search('_')).body.results, []);
    assert.deepEqual((await search('\\')).body.results, []);
  });

  test('missing, empty and over-long queries are 400', async () => {
    assert.equal((await call('/api/search')).status, 400);
    assert.equal((await call('/api/search?query=')).status, 400);
    const long = await search('a'.repeat(101));
    assert.equal(long.status, 400);
    assert.match(long.body.message, /at most 100/);
  });

  test('escapeLike escapes the escape character first', () => {
    assert.equal(escapeLike('50%_\\x'), '50\\%\\_\\\\x');
  });
});

describe('whoami', () => {
  test('echoes gatehouse and forwarding headers, method and url; never credential values', async () => {
    const r = await call('/api/whoami?x=1', {
      method: 'DELETE',
      headers: {
        'x-gatehouse-agent': 'billing-bot',
        'x-forwarded-for': '203.0.113.9',
        authorization: 'Bearer secret-value',
        'x-other': 'nope',
      },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.method, 'DELETE');
    assert.equal(r.body.url, '/api/whoami?x=1');
    assert.equal(r.body.authorizationPresent, true);
    assert.deepEqual(r.body.headers, { 'x-gatehouse-agent': 'billing-bot', 'x-forwarded-for': '203.0.113.9' });
    assert.equal(JSON.stringify(r.body).includes('secret-value'), false);
  });
});

describe('errors', () => {
  test('unknown paths are 404 JSON, wrong methods 405 with Allow', async () => {
    for (const path of ['/', '/api', '/api/docs', '/admin', '//evil.com/api/agents']) {
      const r = await call(path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error, 'not_found');
    }
    const r = await call('/api/agents', { method: 'PUT' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET');
  });

  test('counts requests it received', async () => {
    const before = up.requestCount();
    await call('/api/agents');
    assert.equal(up.requestCount(), before + 1);
  });

  test('refuses to bind a non-loopback address', async () => {
    await assert.rejects(startDemoUpstream({ host: '0.0.0.0' }), /loopback only/);
  });
});

describe('streaming', () => {
  test('SSE sends the events then stays open', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${up.url}/api/events`, { signal: ctrl.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of res.body!) {
      text += decoder.decode(chunk, { stream: true });
      if ((text.match(/\n\n/g) ?? []).length >= 3) break;
    }
    ctrl.abort();
    const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).seq);
    assert.deepEqual(data, [1, 2, 3]);
  });

  test('WebSocket echoes text and binary on /api/ws, other upgrade paths are refused', async () => {
    const ws = new WebSocket(`${up.url.replace('http', 'ws')}/api/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const echo = (data: string | Buffer) =>
      new Promise<[Buffer, boolean]>((resolve) => {
        ws.once('message', (d, isBinary) => resolve([d as Buffer, isBinary]));
        ws.send(data);
      });
    assert.deepEqual(await echo('hello'), [Buffer.from('hello'), false]);
    assert.deepEqual(await echo(Buffer.from([1, 2, 3])), [Buffer.from([1, 2, 3]), true]);
    ws.close();

    const other = new WebSocket(`${up.url.replace('http', 'ws')}/api/agents`);
    other.on('error', () => {}); // terminate() below reports the aborted handshake as an error
    const status = await new Promise<number>((resolve) => other.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    other.terminate();
    assert.equal(status, 404);
  });

  test('close() ends open SSE streams and WebSockets', async () => {
    const own = await startDemoUpstream({ sseIntervalMs: 60_000 });
    const res = await fetch(`${own.url}/api/events`);
    const reader = res.body!.getReader();
    await reader.read();
    const ws = new WebSocket(`${own.url.replace('http', 'ws')}/api/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const wsClosed = new Promise((resolve) => ws.once('close', resolve));
    await own.close();
    await wsClosed;
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) throw new Error('ended');
    });
  });
});

test('a file database keeps data across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'demo-db-'));
  try {
    const dbPath = join(dir, 'demo.db');
    const first = await startDemoUpstream({ dbPath });
    const created: Json = await (await fetch(`${first.url}/api/tasks`, postJson({ agent: 'billing-bot', title: 'persist me' }))).json();
    await first.close();
    const second = await startDemoUpstream({ dbPath });
    const got: Json = await (await fetch(`${second.url}/api/tasks/${created.id}`)).json();
    await second.close();
    assert.equal(got.title, 'persist me');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
