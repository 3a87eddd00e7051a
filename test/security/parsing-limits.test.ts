import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertRejected, attackConfig, bearer, fromRaw, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// SECURITY-CASES 33 (request smuggling), 34 (slow clients), 35 (size limits before credentials).
// Every smuggling row carries a valid, authorized key and a second, smuggled request: were the
// parser lax, the first would be forwarded and the second answered or forwarded too.

const smuggled = (key: string): string => `GET /api/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer(key)}\r\n\r\n`;
const post = (key: string, lines: string[], body: string): string =>
  ['POST /api/x HTTP/1.1', 'Host: 127.0.0.1', bearer(key), ...lines, '', body].join('\r\n');

const smuggling: { name: string; bytes: (key: string) => string }[] = [
  { name: 'Content-Length + Transfer-Encoding', bytes: (k) => post(k, ['Content-Length: 6', 'Transfer-Encoding: chunked'], `0\r\n\r\n${smuggled(k)}`) },
  { name: 'Transfer-Encoding + Content-Length', bytes: (k) => post(k, ['Transfer-Encoding: chunked', 'Content-Length: 40'], `0\r\n\r\n${smuggled(k)}`) },
  { name: 'two different Content-Lengths', bytes: (k) => post(k, ['Content-Length: 5', 'Content-Length: 6'], `hello${smuggled(k)}`) },
  { name: 'Content-Length list "5, 6"', bytes: (k) => post(k, ['Content-Length: 5, 6'], `hello${smuggled(k)}`) },
  { name: 'Content-Length with a sign', bytes: (k) => post(k, ['Content-Length: +5'], `hello${smuggled(k)}`) },
  { name: 'Transfer-Encoding: xchunked', bytes: (k) => post(k, ['Transfer-Encoding: xchunked'], `5\r\nhello\r\n0\r\n\r\n${smuggled(k)}`) },
  { name: 'Transfer-Encoding: identity, headers only (the body would follow later)', bytes: (k) => post(k, ['Transfer-Encoding: identity'], '') },
  { name: 'Transfer-Encoding: chunked, identity', bytes: (k) => post(k, ['Transfer-Encoding: chunked, identity'], `5\r\nhello\r\n0\r\n\r\n${smuggled(k)}`) },
  { name: 'space before the colon', bytes: (k) => post(k, ['Transfer-Encoding : chunked', 'Content-Length: 5'], `hello${smuggled(k)}`) },
  { name: 'whitespace-prefixed " chunked" beside a Content-Length', bytes: (k) => post(k, ['Content-Length: 5', 'Transfer-Encoding: \tchunked'], `0\r\n\r\n${smuggled(k)}`) },
  { name: 'Transfer-Encoding folded onto the previous line', bytes: (k) => post(k, ['Content-Length: 5', 'X-Note: a', ' Transfer-Encoding: chunked'], `hello${smuggled(k)}`) },
  { name: 'obs-fold continuation line', bytes: (k) => post(k, ['Content-Length: 5', 'X-Folded: a', '  b'], `hello${smuggled(k)}`) },
  { name: 'bare LF line endings', bytes: (k) => `GET /api/x HTTP/1.1\nHost: 127.0.0.1\n${bearer(k)}\n\n${smuggled(k)}` },
  { name: 'one bare LF among CRLFs', bytes: (k) => `GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\n${bearer(k)}\r\n\r\n${smuggled(k)}` },
  { name: 'NUL in the request-target', bytes: (k) => `GET /api/x\0/admin HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer(k)}\r\n\r\n${smuggled(k)}` },
];

describe('request smuggling (case 33) and size limits (case 35)', () => {
  let h: Harness;
  let key: string;
  before(async () => {
    h = await startHarness((u) => attackConfig(u));
    key = (await h.agentWithKey('writer', { labels: ['writer'] })).key;
  });
  after(() => h.close());

  it('control: a well-formed POST with the same key is forwarded', async () => {
    const r = await rawExchange(h.gw.dataUrl, post(key, ['Content-Length: 5', 'Connection: close'], 'hello'));
    assert.equal(r.statuses[0], 200);
    assert.equal(h.upstream.seen.at(-1)!.body, 'hello');
  });

  for (const row of smuggling) {
    it(`33 ${row.name} → 400, connection closed, nothing forwarded`, async () => {
      const before = await snapshot(h);
      const r = await rawExchange(h.gw.dataUrl, row.bytes(key));
      assert.equal(r.closedByServer, true, 'the gateway closes the connection');
      assert.deepEqual(r.statuses, [400], 'one answer; the smuggled request is never parsed');
      await assertRejected(h, before, fromRaw(r), { status: 400, reason: 'bad_request' });
    });
  }

  const authFailures = async (): Promise<number> => (await h.gw.metrics.authFailures.get()).values.reduce((n, v) => n + v.value, 0);

  const oversized: { name: string; lines: string[] }[] = [
    { name: 'one 64 KB header', lines: ['X-API-Key: gth_wrong', `X-Pad: ${'a'.repeat(65_536)}`] },
    { name: '1024 headers of 64 bytes', lines: ['X-API-Key: gth_wrong', ...Array.from({ length: 1024 }, (_, i) => `X-H-${i}: ${'b'.repeat(56)}`)] },
    { name: 'a 64 KB Authorization header', lines: [`Authorization: Bearer gth_${'c'.repeat(65_536)}`] },
  ];
  for (const row of oversized) {
    it(`35 ${row.name} → 431 before any credential check`, async () => {
      const before = await snapshot(h);
      const failures = await authFailures();
      const r = await rawExchange(h.gw.dataUrl, rawGet('/api/x', row.lines));
      const rec = await assertRejected(h, before, fromRaw(r), { status: 431, reason: 'headers_too_large' });
      assert.deepEqual(rec.reasons, ['headers_too_large']);
      assert.equal(await authFailures(), failures, 'no authentication was attempted');
    });
  }

  it('35 a declared body over the route limit → 413 with no credential at all (not 401)', async () => {
    const before = await snapshot(h);
    const r = await rawExchange(h.gw.dataUrl, rawGet('/small/upload', ['Content-Length: 2048', 'Content-Type: text/plain'], 'POST') + 'x'.repeat(2048));
    const rec = await assertRejected(h, before, fromRaw(r), { status: 413, reason: 'body_too_large' });
    assert.deepEqual(rec.reasons, ['body_too_large']);
    assert.equal(rec.credentialId, null);
  });

  it('35 a chunked body over the route limit is cut off: the upstream never receives a complete body', async () => {
    // The length is unknown up front, so the request is authorized and its body streamed; the
    // counter aborts the upstream request past 1024 bytes. The recording upstream only records
    // requests whose body ended, so "nothing recorded" means it never got a complete body.
    const before = await snapshot(h);
    const chunk = `400\r\n${'z'.repeat(1024)}\r\n`;
    const r = await rawExchange(h.gw.dataUrl, [rawGet('/small/upload', [bearer(key), 'Transfer-Encoding: chunked'], 'POST'), chunk, chunk, chunk, '0\r\n\r\n']);
    await assertRejected(h, before, fromRaw(r), { status: 413, reason: 'body_too_large' });
  });
});

describe('slow clients (case 34)', () => {
  const headersTimeoutMs = 1_000;
  let h: Harness;
  let key: string;
  before(async () => {
    h = await startHarness((u) => attackConfig(u, { limits: { headersTimeoutMs, requestTimeoutMs: 2_000 } }));
    key = (await h.agentWithKey('reader', { labels: ['reader'] })).key;
  });
  after(() => h.close());

  /** Opens a connection, writes `bytes`, never finishes; resolves when the gateway closes it. */
  function stall(bytes: string): { socket: Socket; closed: Promise<{ ms: number; text: string }> } {
    const url = new URL(h.gw.dataUrl);
    const socket = connect(Number(url.port), url.hostname);
    const started = Date.now();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<{ ms: number; text: string }>((resolve) => {
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ ms: Date.now() - started, text: Buffer.concat(chunks).toString('latin1') }));
    });
    socket.write(bytes);
    return { socket, closed };
  }

  // Node checks these timeouts on an interval, so the bound is generous; without the check the
  // sockets would stay open for the whole run (Node's default interval is 30 s).
  const bound = 4 * headersTimeoutMs;
  const closedWithin = <T>(p: Promise<T>, ms: number): Promise<T> =>
    Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms).unref())]);

  it('slow headers and a slow body are cut off by the timeouts; another agent is served meanwhile', async () => {
    const before = await snapshot(h);
    const slowHeaders = Array.from({ length: 5 }, () => stall('GET /api/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a'));
    const slowBody = stall(['POST /api/x HTTP/1.1', 'Host: 127.0.0.1', bearer(key), 'Content-Length: 100', '', 'only ten b'].join('\r\n'));
    let slowClosed = false;
    void Promise.all([...slowHeaders, slowBody].map((s) => s.closed)).then(() => (slowClosed = true));

    const res = await h.request('/api/fast', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal(slowClosed, false, 'the normal request did not wait for the stalled ones');

    for (const s of slowHeaders) {
      const { text } = await closedWithin(s.closed, bound);
      assert.match(text, /^(HTTP\/1\.1 408 |$)/, 'a 408 or a plain close, never a forwarded answer');
    }
    await closedWithin(slowBody.closed, bound + 2_000);
    // Nothing reached the upstream except the normal request (the slow body never completed).
    assert.deepEqual(h.upstream.seen.slice(before.seen).map((s) => s.url), ['/api/fast']);
  });
});
