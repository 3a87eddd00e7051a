import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { ConfigError } from '../src/core/errors.ts';
import { defaultConfig, startHarness, type Harness } from './helpers/gateway-harness.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'tls');
const ca = readFileSync(join(fixtures, 'test-only-cert.pem'));
const tls = { cert: join(fixtures, 'test-only-cert.pem'), key: join(fixtures, 'test-only-key.pem') };

function httpsGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('exposure: loopback by default, TLS for anything else', () => {
  let h: Harness | undefined;
  after(() => h?.close());

  it('refuses to start on a non-loopback address without TLS, before binding anything', async () => {
    await assert.rejects(
      startHarness((u) => ({ ...defaultConfig(u), server: { listen: { host: '0.0.0.0', port: 0 } } })),
      (err: unknown) => err instanceof ConfigError && /server\.listen\.host: binding 0\.0\.0\.0/.test(err.message),
    );
    await assert.rejects(
      startHarness((u) => ({ ...defaultConfig(u), admin: { listen: { host: '0.0.0.0', port: 0 } } })),
      (err: unknown) => err instanceof ConfigError && /admin\.listen\.host/.test(err.message),
    );
  });

  it('a TLS file that cannot be read is a config error naming the field, and nothing stays running', async () => {
    await assert.rejects(
      startHarness((u) => ({ ...defaultConfig(u), admin: { listen: { port: 0, tls: { ...tls, key: join(fixtures, 'missing.pem') } } } })),
      (err: unknown) => err instanceof ConfigError && /admin\.listen\.tls\.key: cannot read .*missing\.pem \(ENOENT\)/.test(err.message),
    );
  });

  it('serves both listeners over TLS ≥ 1.2 when configured; older protocols are refused', async () => {
    h = await startHarness((u) => ({ ...defaultConfig(u), server: { listen: { port: 0, tls } }, admin: { listen: { port: 0, tls } } }));
    assert.match(h.gw.dataUrl, /^https:/);
    assert.match(h.gw.adminUrl, /^https:/);
    const { key } = await h.agentWithKey('tls-reader', { labels: ['reader'] });
    assert.equal(await httpsGet(`${h.gw.dataUrl}/api/x`), 401);
    assert.equal(await httpsGet(`${h.gw.dataUrl}/api/x`, { authorization: `Bearer ${key}` }), 200);
    assert.equal(h.upstream.seen.at(-1)!.headers['x-forwarded-proto'], 'https');
    assert.equal(await httpsGet(`${h.gw.adminUrl}/healthz`), 200);
    const url = new URL(h.gw.dataUrl);
    const outcome = await new Promise<string>((resolve) => {
      const s = connect({ host: url.hostname, port: Number(url.port), ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => resolve(`connected with ${s.getProtocol()}`));
      s.on('error', (e) => resolve(`refused: ${e.message}`));
    });
    assert.match(outcome, /^refused/);
  });
});
