import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatehouseError } from '../core/errors.ts';
import { SafeFetcher, safeFetchJson, type ResolveHost } from './safe-fetch.ts';

interface TestServer {
  port: number;
  origin: string;
  /** Requests seen, by path. */
  hits: string[];
  /** TCP connections accepted (a refused fetch must leave this at 0). */
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<TestServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    t.hits.push(req.url ?? '');
    handler(req, res);
  });
  server.on('connection', () => t.connections++);
  // A handler's delays must not outlive the test.
  server.on('close', () => timers.forEach(clearTimeout));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const t: TestServer = {
    port,
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    hits: [],
    connections: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  servers.push(t);
  return t;
}

const json = (body: unknown, type = 'application/json') => (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': type }).end(JSON.stringify(body));
};
const redirectTo = (location: string, status = 302) => (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(status, { location }).end();
};

const toLoopback: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

/** Asserts a rejection with `code` whose message contains `fragment` and none of `secrets`. */
async function rejects(p: Promise<unknown>, code: 'outbound_refused' | 'outbound_failed', fragment: string, secrets: string[] = []): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GatehouseError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, code === 'outbound_refused' ? 400 : 502);
    assert.ok(err.message.includes(fragment), err.message);
    for (const s of secrets) assert.ok(!err.message.includes(s), `message leaks ${s}: ${err.message}`);
    return true;
  });
}

describe('SafeFetcher: destinations', () => {
  it('fetches JSON from an explicitly allowed private origin', async () => {
    const s = await serve(json({ keys: [{ kid: 'a' }] }, 'application/jwk-set+json; charset=utf-8'));
    assert.deepEqual(await safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true }), { keys: [{ kid: 'a' }] });
    assert.deepEqual(s.hits, ['/jwks']);
  });

  it('connects to the address the lookup seam returns when private networks are allowed', async () => {
    const s = await serve(json({ ok: true }));
    const asked: string[] = [];
    const lookup: ResolveHost = async (host) => (asked.push(host), [{ address: '127.0.0.1', family: 4 }]);
    assert.deepEqual(await safeFetchJson(`http://issuer.test:${s.port}/jwks`, { allowPrivateNetwork: true, lookup }), { ok: true });
    assert.deepEqual(asked, ['issuer.test']);
  });

  it('refuses a hostname that resolves to loopback, before any connection (DNS rebinding)', async () => {
    const s = await serve(json({ ok: true }));
    await rejects(safeFetchJson(`https://jwks.example.test:${s.port}/jwks`, { allowPrivateNetwork: false, lookup: toLoopback }), 'outbound_refused', 'jwks.example.test resolves to 127.0.0.1, which is loopback');
    assert.equal(s.connections, 0);
  });

  it('refuses when any resolved address is blocked, even if another is public', async () => {
    const lookup: ResolveHost = async () => [{ address: '8.8.8.8', family: 4 }, { address: '::ffff:169.254.169.254', family: 6 }];
    await rejects(safeFetchJson('https://mixed.example.test/jwks', { allowPrivateNetwork: false, lookup, timeoutMs: 500 }), 'outbound_refused', 'IPv4-mapped form of 169.254.169.254');
  });

  it('refuses IP-literal and plain-http URLs without resolving anything', async () => {
    let lookups = 0;
    const lookup: ResolveHost = async () => (lookups++, [{ address: '8.8.8.8', family: 4 }]);
    for (const [url, fragment] of [
      ['https://169.254.169.254/latest/meta-data/', 'link-local'],
      ['https://[::1]/', 'loopback'],
      ['https://0x7f000001/', '127.0.0.1 is loopback'],
      ['http://issuer.example.com/jwks', 'plain http:'],
      ['ftp://issuer.example.com/jwks', 'scheme'],
    ]) await rejects(safeFetchJson(url!, { allowPrivateNetwork: false, lookup }), 'outbound_refused', fragment!);
    assert.equal(lookups, 0);
  });

  it('reports DNS failures and refused connections as outbound_failed', async () => {
    const nx: ResolveHost = async () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await rejects(safeFetchJson('https://nowhere.example.test/jwks', { allowPrivateNetwork: false, lookup: nx }), 'outbound_failed', 'DNS lookup of nowhere.example.test failed: ENOTFOUND');
    const s = await serve(json({}));
    await s.close();
    await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true }), 'outbound_failed', 'ECONNREFUSED');
  });
});

describe('SafeFetcher: redirects', () => {
  it('refuses a redirect to 169.254.169.254 even when the configured origin is allowed to be private', async () => {
    const s = await serve(redirectTo('http://169.254.169.254/latest/meta-data/iam/security-credentials/'));
    await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true, timeoutMs: 2000 }), 'outbound_refused', '169.254.169.254 is link-local');
    assert.deepEqual(s.hits, ['/jwks']);
  });

  for (const [name, target] of [
    ['[::1]', (port: number) => `http://[::1]:${port}/secret`],
    ['decimal 127.0.0.1', (port: number) => `http://2130706433:${port}/secret`],
    ['IPv4-mapped loopback', (port: number) => `http://[::ffff:7f00:1]:${port}/secret`],
  ] as const) {
    it(`refuses a redirect to ${name} and never contacts it`, async () => {
      const inner = await serve(json({ secret: true }), name === '[::1]' ? '::1' : '127.0.0.1');
      const s = await serve(redirectTo(target(inner.port), 307));
      await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true }), 'outbound_refused', 'loopback');
      assert.equal(inner.connections, 0);
    });
  }

  it('refuses a redirect to a hostname that resolves to a blocked address', async () => {
    const s = await serve(redirectTo('https://metadata.attacker.test/'));
    const lookup: ResolveHost = async () => [{ address: '169.254.169.254', family: 4 }];
    await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true, lookup }), 'outbound_refused', 'metadata.attacker.test resolves to 169.254.169.254');
  });

  it('follows up to 3 redirects on the allowed origin, not a 4th', async () => {
    const s = await serve((req, res) => {
      const n = Number(req.url!.slice(2));
      if (n < 4) redirectTo(`/r${n + 1}`, 301)(req, res);
      else json({ hop: n })(req, res);
    });
    assert.deepEqual(await safeFetchJson(`${s.origin}/r1`, { allowPrivateNetwork: true }), { hop: 4 });
    assert.deepEqual(s.hits, ['/r1', '/r2', '/r3', '/r4']);
    await rejects(safeFetchJson(`${s.origin}/r0`, { allowPrivateNetwork: true }), 'outbound_failed', 'more than 3 redirects');
    assert.equal(s.hits.length, 8);
  });

  it('fails a redirect without a Location', async () => {
    const s = await serve((_req, res) => res.writeHead(302).end());
    await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true }), 'outbound_failed', 'without a valid Location');
  });
});

describe('SafeFetcher: responses', () => {
  const open = { allowPrivateNetwork: true, timeoutMs: 200 };

  it('aborts a body that exceeds maxBytes while streaming, without waiting for its end', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Endless body: only a streaming limit can stop this before the timeout.
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await rejects(safeFetchJson(`${s.origin}/jwks`, { allowPrivateNetwork: true, timeoutMs: 5000, maxBytes: 1024 }), 'outbound_failed', 'body larger than 1024 bytes');
  });

  it('refuses a declared content-length over the limit, and accepts a body exactly at it', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(1000) });
    const s = await serve(json({ pad: 'x'.repeat(1000) }));
    await rejects(safeFetchJson(`${s.origin}/jwks`, { ...open, maxBytes: body.length - 1 }), 'outbound_failed', `body larger than ${body.length - 1} bytes`);
    assert.deepEqual(await safeFetchJson(`${s.origin}/jwks`, { ...open, maxBytes: body.length }), { pad: 'x'.repeat(1000) });
  });

  it('times out a server that does not answer', async () => {
    const s = await serve((_req, res) => void setTimeout(() => json({ late: true })(_req, res), 2000).unref());
    await rejects(safeFetchJson(`${s.origin}/jwks`, open), 'outbound_failed', 'timed out after 200 ms');
  });

  it('times out a body that stalls after the headers', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys": [');
    });
    await rejects(safeFetchJson(`${s.origin}/jwks`, open), 'outbound_failed', 'timed out after 200 ms');
  });

  it('rejects non-2xx statuses without echoing the body', async () => {
    const s = await serve((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"db password is hunter2"}'));
    await rejects(safeFetchJson(`${s.origin}/jwks`, open), 'outbound_failed', 'HTTP 500', ['hunter2']);
    const m = await serve((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'));
    await rejects(safeFetchJson(`${m.origin}/jwks`, open), 'outbound_failed', 'HTTP 404');
  });

  it('rejects non-JSON content types and unparsable bodies without echoing them', async () => {
    const html = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hunter2</p>'));
    await rejects(safeFetchJson(`${html.origin}/jwks`, open), 'outbound_failed', 'content-type "text/html" is not JSON', ['hunter2']);
    const none = await serve((_req, res) => res.writeHead(200).end('{}'));
    await rejects(safeFetchJson(`${none.origin}/jwks`, open), 'outbound_failed', 'is not JSON');
    const bad = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('hunter2 {'));
    await rejects(safeFetchJson(`${bad.origin}/jwks`, open), 'outbound_failed', 'not valid UTF-8 JSON', ['hunter2']);
    const latin = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.from([0x22, 0xff, 0x22])));
    await rejects(safeFetchJson(`${latin.origin}/jwks`, open), 'outbound_failed', 'not valid UTF-8 JSON');
  });

  it('reuses one fetcher for several fetches and closes cleanly', async () => {
    const s = await serve(json({ n: 1 }));
    const fetcher = new SafeFetcher({ allowPrivateNetwork: true });
    assert.deepEqual(await fetcher.fetchJson(`${s.origin}/a`), { n: 1 });
    assert.deepEqual(await fetcher.fetchJson(`${s.origin}/b`), { n: 1 });
    assert.deepEqual(s.hits, ['/a', '/b']);
    await fetcher.close();
  });
});
