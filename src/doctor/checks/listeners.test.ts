import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/load-config.ts';
import { judgeUnauthenticated, probePath } from '../route-probe.ts';
import type { Probes } from '../probe.ts';
import type { DoctorContext } from '../types.ts';
import { bindVerdict, LISTENER_SPECS, listenersCheck, otherAddressesFor } from './listeners.ts';

const [data, admin] = LISTENER_SPECS as [(typeof LISTENER_SPECS)[0], (typeof LISTENER_SPECS)[0]];
const listen = (l: Record<string, unknown>) => parseConfig({ server: { listen: l } }).server.listen;
const tls = { cert: 'c.pem', key: 'k.pem' };

describe('bindVerdict: loopback, or TLS; never the insecure-public override', () => {
  const rows: Array<[string, Record<string, unknown>, string[]]> = [
    ['loopback', { host: '127.0.0.1', port: 8080 }, ['pass data plane bound to 127.0.0.1:8080 (loopback)']],
    ['localhost, port 0', { host: 'localhost', port: 0 }, ['pass data plane bound to localhost:0 (loopback; port chosen at start)']],
    ['IPv6 loopback', { host: '::1', port: 8080 }, ['pass data plane bound to [::1]:8080 (loopback)']],
    ['public with TLS', { host: '0.0.0.0', port: 443, tls }, ['pass data plane bound to 0.0.0.0:443 with TLS (reachable from the network)']],
    ['public, insecurePublic', { host: '0.0.0.0', port: 8080, insecurePublic: true }, ['fail data plane bound to 0.0.0.0:8080 without TLS (insecure-public override)']],
    ['public, nothing', { host: '10.0.0.5', port: 8080 }, ['fail data plane bound to 10.0.0.5:8080 without TLS: Gatehouse refuses to start like this']],
    ['loopback with a stray override', { host: '127.0.0.1', port: 8080, insecurePublic: true }, [
      'pass data plane bound to 127.0.0.1:8080 (loopback)', 'warn server.listen.insecurePublic is set but has no effect here',
    ]],
  ];
  for (const [name, l, expected] of rows) {
    it(name, () => assert.deepEqual(bindVerdict(data, listen(l)).map((r) => `${r.status} ${r.message}`), expected));
  }

  it('names the admin listener and its field in the fix', () => {
    const [r] = bindVerdict(admin, listen({ host: '0.0.0.0', insecurePublic: true }));
    assert.equal(r!.message, 'admin API bound to 0.0.0.0:8080 without TLS (insecure-public override)');
    assert.match(r!.detail!, /admin\.listen\.insecurePublic: true .* admin\.listen\.tls/);
  });
});

describe('otherAddressesFor', () => {
  it('tries another 127/8 address (an any-address bind answers there) and the machine\'s own addresses, at most 8', () => {
    assert.deepEqual(otherAddressesFor('127.0.0.1', ['192.0.2.7']), ['127.0.0.2', '192.0.2.7']);
    assert.deepEqual(otherAddressesFor('127.0.0.2', []), ['127.0.0.3']);
    assert.deepEqual(otherAddressesFor('::1', ['fd00::7']), ['fd00::7']);
    assert.equal(otherAddressesFor('127.0.0.1', Array.from({ length: 20 }, (_, i) => `192.0.2.${i}`)).length, 8);
  });
});

describe('the unauthenticated probe of a strict route', () => {
  it('probes a made-up path inside a prefix, or the exact path', () => {
    assert.equal(probePath({ path: '/api/*' }), '/api/gatehouse-doctor-probe');
    assert.equal(probePath({ path: '/*' }), '/gatehouse-doctor-probe');
    assert.equal(probePath({ path: '/mcp' }), '/mcp');
  });

  it('401 passes; anything served fails; 429 and other refusals only warn', () => {
    const judge = (s: number) => judgeUnauthenticated('api', 'GET /api/x', s).status;
    assert.deepEqual([401, 200, 204, 302, 429, 404, 502].map(judge), ['pass', 'fail', 'fail', 'fail', 'warn', 'warn', 'warn']);
    assert.equal(judgeUnauthenticated('api', 'GET /api/x', 200).message, 'data plane answered 200 without a credential on strict route "api" (GET /api/x)');
  });
});

describe('listenersCheck probes (fake network)', () => {
  const loaded = { config: parseConfig({ server: { listen: { port: 8080 } }, admin: { listen: { port: 8081 } }, routes: [{ id: 'api', path: '/api/*', upstream: 'http://127.0.0.1:9' }] }), file: undefined, baseDir: '/' };
  const fakeCtx = (open: (host: string, port: number) => boolean, status = 401): DoctorContext => {
    const probes: Probes = {
      tcp: async (host, port) => open(host, port),
      http: async () => ({ status }),
      tls: async () => ({ ok: false, code: 'X', message: 'x' }),
    };
    return {
      loaded, env: {}, now: () => 0, adminToken: undefined, probes, otherAddresses: () => ['192.0.2.7'],
      targets: { data: { url: new URL('http://127.0.0.1:8080') }, admin: { url: new URL('http://127.0.0.1:8081') } },
    } as unknown as DoctorContext;
  };

  it('a loopback listener that also answers on another address fails, naming it', async () => {
    const results = await listenersCheck.run(fakeCtx((host, port) => host === '127.0.0.1' || (port === 8080 && host === '127.0.0.2')));
    const fails = results.filter((r) => r.status === 'fail').map((r) => r.message);
    assert.deepEqual(fails, ['data plane also answers on 127.0.0.2:8080, though server.listen.host is 127.0.0.1']);
  });

  it('nothing listening fails once per listener, and the route probe is skipped', async () => {
    const results = await listenersCheck.run(fakeCtx(() => false, 200));
    assert.deepEqual(results.filter((r) => r.status === 'fail').map((r) => r.message), [
      'nothing is listening at http://127.0.0.1:8080 (data plane)', 'nothing is listening at http://127.0.0.1:8081 (admin API)',
    ]);
  });
});
