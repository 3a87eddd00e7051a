import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpProber, ScanInterrupted, type HttpProberOptions } from './probe.ts';
import { requestTarget } from './probe-wire.ts';
import { startRawServer, type RawSeen } from './raw-server.test-helper.ts';
import { BudgetExhausted } from './types.ts';

type Server = Awaited<ReturnType<typeof startRawServer>>;
let server: Server;
const BIG = 'x'.repeat(200 * 1024);

before(async () => {
  server = await startRawServer((req: RawSeen) => {
    if (req.line.startsWith('GET /big ')) return { body: BIG };
    if (req.line.startsWith('GET /hang ')) return 'hang';
    if (req.line.startsWith('GET /leak')) return { status: 500, headers: { 'set-cookie': 'a=1', 'x-multi': 'v' }, body: `{"password":"hunter2","echo":"${req.headers.authorization ?? ''}","pad":"${'y'.repeat(600)}"}` };
    return { body: 'ok' };
  });
});
after(() => server.close());

function prober(over: Partial<HttpProberOptions> = {}): HttpProber {
  return new HttpProber({ base: new URL(server.url), headers: {}, maxRequests: 100, rate: 1000, timeoutMs: 5000, ...over });
}

describe('HttpProber', () => {
  test('sends each target byte-exact: no dot-segment removal, no slash merging, no decoding', async () => {
    const p = prober();
    const targets = ['/api/../admin', '//x', '/api//admin', '/api/%2fadmin', '/api/%2e%2e/admin', '/api/..;/admin', '/API/Agents/', '/api\\..\\admin', '/a/./b', '/x?q=%27%20OR%201=1'];
    const before = server.seen.length;
    for (const target of targets) assert.equal((await p.send({ method: 'GET', target })).status, 200);
    assert.deepEqual(server.seen.slice(before).map((s) => s.line), targets.map((t) => `GET ${t} HTTP/1.1`));
    await p.close();
  });

  test('only characters that cannot appear on a request line are percent-encoded', () => {
    assert.equal(requestTarget("/s?q=' OR '1'='1"), "/s?q='%20OR%20'1'='1");
    assert.equal(requestTarget('/é'), '/%C3%A9');
    assert.equal(requestTarget('/a\r\nX: y'), '/a%0D%0AX:%20y');
    assert.equal(requestTarget('relative'), '/relative');
  });

  test('the request budget is enforced, also for concurrent callers', async () => {
    const p = prober({ maxRequests: 3 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => p.send({ method: 'GET', target: '/' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
    for (const r of results.filter((x) => x.status === 'rejected')) assert.ok(r.reason instanceof BudgetExhausted);
    assert.equal(p.sent, 3);
    assert.equal(p.remaining(), 0);
    await assert.rejects(p.send({ method: 'GET', target: '/' }), BudgetExhausted);
    await p.close();
  });

  test('requests are paced by the rate (the wait is asked of the injected sleep)', async () => {
    const waits: number[] = [];
    const p = prober({ rate: 10, now: () => 0, sleep: async (ms) => void waits.push(ms) });
    for (let i = 0; i < 4; i++) await p.send({ method: 'GET', target: '/' });
    // 10/s with a burst of 1: the first goes at once, each later one waits 100 ms more.
    assert.deepEqual(waits.map(Math.round), [100, 200, 300]);
    await p.close();
  });

  test('extra headers go on every request; a check header of the same name (any case) replaces it', async () => {
    const p = prober({ headers: { Authorization: 'Bearer operator-secret-1' } });
    const before = server.seen.length;
    await p.send({ method: 'GET', target: '/one' });
    await p.send({ method: 'GET', target: '/two', headers: { authorization: 'Bearer other' } });
    await p.send({ method: 'POST', target: '/three', json: { a: 1 } });
    const [one, two, three] = server.seen.slice(before);
    assert.equal(one!.headers.authorization, 'Bearer operator-secret-1');
    assert.equal(two!.headers.authorization, 'Bearer other');
    assert.equal(three!.headers['content-type'], 'application/json');
    assert.equal(three!.body, '{"a":1}');
    await p.close();
  });

  test('anonymous requests leave out the operator\'s headers but keep their own', async () => {
    const p = prober({ headers: { Authorization: 'Bearer operator-secret-1', 'X-Tenant': 'acme' } });
    const before = server.seen.length;
    await p.send({ method: 'GET', target: '/anon', anonymous: true, headers: { 'X-Forwarded-For': '127.0.0.1' } });
    const seen = server.seen[before]!;
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-tenant'], undefined);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    await p.close();
  });

  test('bodies are kept to 64 KiB unless the request asks for more; headers are flattened and lower-cased', async () => {
    const p = prober();
    const big = await p.send({ method: 'GET', target: '/big' });
    assert.equal(big.status, 200);
    assert.equal(big.body.length, 64 * 1024);
    assert.equal((await p.send({ method: 'GET', target: '/big', maxBodyBytes: 1024 * 1024 })).body.length, BIG.length);
    const leak = await p.send({ method: 'GET', target: '/leak' });
    assert.equal(leak.headers['x-multi'], 'v');
    assert.equal(leak.headers['set-cookie'], 'a=1');
    await p.close();
  });

  test('refused connections and timeouts resolve to status 0', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = new HttpProber({ base: new URL(`http://127.0.0.1:${port}`), headers: {}, maxRequests: 5, rate: 100, timeoutMs: 2000 });
    assert.equal((await refused.send({ method: 'GET', target: '/' })).status, 0);
    assert.equal(refused.sent, 1);
    await refused.close();
    const p = prober();
    const hung = await p.send({ method: 'GET', target: '/hang', timeoutMs: 150 });
    assert.equal(hung.status, 0);
    assert.ok(hung.elapsedMs >= 140);
    await p.close();
  });

  test('evidence redacts secrets (also the operator\'s header values echoed back) and cuts excerpts', async () => {
    const p = prober({ headers: { Authorization: 'Bearer operator-secret-1' } });
    const req = { method: 'GET', target: '/leak?api_key=abc123', headers: { 'X-Forwarded-For': '127.0.0.1' } };
    const res = await p.send(req);
    const ev = p.evidence(req, res, 'echoed operator-secret-1');
    assert.equal(ev.status, 500);
    assert.equal(ev.request, 'GET /leak?api_key=[REDACTED] | X-Forwarded-For: 127.0.0.1');
    assert.ok(!ev.response!.includes('hunter2'));
    assert.ok(!ev.response!.includes('operator-secret-1'));
    assert.ok(ev.response!.length <= 300);
    assert.equal(ev.note, 'echoed [REDACTED]');
    assert.equal(p.evidence({ method: 'GET', target: '/' }, undefined).status, undefined);
    await p.close();
  });

  test('another origin is refused unless both it and the target are loopback', async () => {
    const p = prober();
    await assert.rejects(p.send({ method: 'GET', target: '/', origin: 'http://example.com' }), /not the scan target/);
    const other = await p.send({ method: 'GET', target: '/', origin: `http://127.0.0.2:${server.port}`, timeoutMs: 2000 });
    assert.ok(other.status === 0 || other.status === 200); // depends on whether 127.0.0.2 reaches the listener
    await p.close();
  });

  test('an aborted scan sends nothing more', async () => {
    const ac = new AbortController();
    const p = prober({ signal: ac.signal });
    await p.send({ method: 'GET', target: '/' });
    ac.abort();
    await assert.rejects(p.send({ method: 'GET', target: '/' }), ScanInterrupted);
    assert.equal(p.sent, 1);
    await p.close();
  });
});
