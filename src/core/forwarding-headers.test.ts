import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.ts';
import type { UpstreamHeaderInput } from './forwarding-headers.ts';
import { buildUpstreamHeaders, checkIdentityHeaders, clientAddressFrom, normalizeAddress, parseTrustedProxies } from './forwarding-headers.ts';

const base: UpstreamHeaderInput = {
  rawHeaders: [],
  clientAddress: '203.0.113.7',
  forwardedProto: 'https',
  host: undefined,
  requestId: 'req_test',
  identity: [],
  keepUpgrade: false,
  stripCredentials: false,
  trustIncomingXff: false,
};
/** The flat `[name, value, …]` list as pairs, for readable assertions. */
const build = (over: Partial<UpstreamHeaderInput>): [string, string][] => {
  const flat = buildUpstreamHeaders({ ...base, ...over });
  assert.equal(flat.length % 2, 0, 'flat list has a value for every name');
  return Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
};
const names = (h: [string, string][]): string[] => h.map(([n]) => n.toLowerCase());
const get = (h: [string, string][], name: string): string[] => h.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

describe('buildUpstreamHeaders: removals', () => {
  // [case, raw headers, header names (lowercase) that must not reach the upstream]
  const table: [string, string[], string[]][] = [
    ['hop-by-hop', ['Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Proxy-Connection', 'x', 'Transfer-Encoding', 'chunked', 'TE', 'trailers', 'Trailer', 'X-T', 'Upgrade', 'websocket', 'Proxy-Authorization', 'Basic x', 'Proxy-Authenticate', 'x'], ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']],
    ['Connection-nominated', ['Connection', 'X-Foo, x-bar', 'X-Foo', '1', 'X-Bar', '2'], ['x-foo', 'x-bar']],
    ['multiple Connection headers', ['Connection', 'close', 'Connection', ' X-One ,,X-Two ', 'x-one', '1', 'X-TWO', '2'], ['x-one', 'x-two']],
    ['Connection nominates identity header', ['Connection', 'x-gatehouse-agent, foo', 'X-Gatehouse-Agent', 'evil', 'Foo', 'bar'], ['x-gatehouse-agent', 'foo']],
    ['identity namespace any case (31)', ['X-GateHouse-Agent-Id', 'evil', 'x-gatehouse-scopes', 'admin', 'X-GATEHOUSE-IDENTITY', 'jwt', 'x-gatehouse-', 'v'], ['x-gatehouse-agent-id', 'x-gatehouse-scopes', 'x-gatehouse-identity', 'x-gatehouse-']],
    ['method override (37)', ['X-HTTP-Method-Override', 'DELETE', 'x-method-override', 'PUT', 'X-Http-Method', 'PATCH'], ['x-http-method-override', 'x-method-override', 'x-http-method']],
    ['client forwarding info', ['Forwarded', 'for=1.1.1.1', 'X-Forwarded-Host', 'evil', 'X-Forwarded-Proto', 'http', 'X-Real-IP', '1.1.1.1', 'X-Forwarded-Port', '1', 'True-Client-IP', '1.1.1.1'], ['forwarded', 'x-real-ip', 'x-forwarded-port', 'true-client-ip']],
    ['client certificate claims (24)', ['X-Forwarded-Client-Cert', 'Hash=x', 'X-SSL-Client-Cert', 'pem'], ['x-forwarded-client-cert', 'x-ssl-client-cert']],
    ['path override headers', ['X-Original-URL', '/admin', 'X-Rewrite-URL', '/admin', 'X-Original-URI', '/admin'], ['x-original-url', 'x-rewrite-url', 'x-original-uri']],
    ['client Host', ['Host', 'evil.com'], ['host']],
    ['HTTP/2 pseudo-headers', [':authority', 'evil.com', ':path', '/admin', ':method', 'DELETE'], [':authority', ':path', ':method']],
  ];
  for (const [label, rawHeaders, gone] of table) {
    it(label, () => {
      const out = names(build({ rawHeaders }));
      for (const g of gone) assert.ok(!out.includes(g), `${g} leaked: ${out.join(',')}`);
    });
  }

  it('removes credentials only when asked', () => {
    const rawHeaders = ['Authorization', 'Bearer t', 'X-API-Key', 'gth_x', 'Accept', '*/*'];
    assert.deepEqual(get(build({ rawHeaders }), 'authorization'), ['Bearer t']);
    const stripped = build({ rawHeaders, stripCredentials: true });
    assert.deepEqual(get(stripped, 'authorization'), []);
    assert.deepEqual(get(stripped, 'x-api-key'), []);
    assert.deepEqual(get(stripped, 'accept'), ['*/*']);
  });

  it('keeps end-to-end headers in order and case, duplicates as-is', () => {
    const rawHeaders = ['Accept', 'a', 'Content-Type', 'application/json', 'Content-Length', '2', 'Set-Cookie', 'x', 'set-cookie', 'y', 'X-Gatehouse', 'not-our-prefix', 'X-Gatehousey', 'also-not'];
    const out = build({ rawHeaders });
    assert.deepEqual(out.slice(0, 7), [['Accept', 'a'], ['Content-Type', 'application/json'], ['Content-Length', '2'], ['Set-Cookie', 'x'], ['set-cookie', 'y'], ['X-Gatehouse', 'not-our-prefix'], ['X-Gatehousey', 'also-not']]);
  });
});

describe('buildUpstreamHeaders: additions', () => {
  it('sets x-forwarded-proto, x-forwarded-host and identity after stripping the client copies', () => {
    const out = build({
      rawHeaders: ['X-Forwarded-Proto', 'http', 'x-gatehouse-agent', 'evil', 'Connection', 'x-gatehouse-agent', 'Host', 'gw.example'],
      host: 'gw.example',
      identity: ['x-gatehouse-agent', 'agent-a', 'x-gatehouse-scopes', 'read'],
    });
    assert.deepEqual(get(out, 'x-forwarded-proto'), ['https']);
    assert.deepEqual(get(out, 'x-forwarded-host'), ['gw.example']);
    assert.deepEqual(get(out, 'x-gatehouse-agent'), ['agent-a']);
    assert.deepEqual(get(out, 'x-gatehouse-scopes'), ['read']);
    assert.deepEqual(get(out, 'x-gatehouse-request-id'), ['req_test']);
    assert.deepEqual(get(out, 'host'), []);
  });

  it('omits x-forwarded-host when host is undefined', () => {
    assert.deepEqual(get(build({ rawHeaders: ['X-Forwarded-Host', 'evil'] }), 'x-forwarded-host'), []);
  });

  it('checkIdentityHeaders refuses names outside the namespace, unsafe values and a missing value', () => {
    assert.throws(() => checkIdentityHeaders(['authorization', 'x']));
    assert.throws(() => checkIdentityHeaders(['X-Gatehouse-Agent', 'x']));
    assert.throws(() => checkIdentityHeaders(['x-gatehouse-agent', 'a\r\nX-Evil: 1']));
    assert.throws(() => checkIdentityHeaders(['x-gatehouse-agent', 'a\u0000']));
    assert.throws(() => checkIdentityHeaders(['x-gatehouse-agent']));
    assert.deepEqual(checkIdentityHeaders(['x-gatehouse-agent', 'a', 'x-gatehouse-scopes', 'read write']), ['x-gatehouse-agent', 'a', 'x-gatehouse-scopes', 'read write']);
  });

  it('drops Expect (Node answers 100-continue itself)', () => {
    assert.deepEqual(get(build({ rawHeaders: ['Expect', '100-continue', 'Accept', '*/*'] }), 'expect'), []);
  });

  // [label, raw headers, trustIncomingXff, expected XFF]
  const xff: [string, string[], boolean, string][] = [
    ['no incoming', [], false, '203.0.113.7'],
    ['untrusted incoming is replaced', ['X-Forwarded-For', '1.1.1.1, 2.2.2.2'], false, '203.0.113.7'],
    ['trusted incoming is extended', ['X-Forwarded-For', '1.1.1.1, 2.2.2.2'], true, '1.1.1.1, 2.2.2.2, 203.0.113.7'],
    ['multiple XFF headers joined', ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'], true, '1.1.1.1, 2.2.2.2, 203.0.113.7'],
    ['trusted but empty', ['X-Forwarded-For', ' , '], true, '203.0.113.7'],
    ['Connection-nominated XFF dropped', ['Connection', 'X-Forwarded-For', 'X-Forwarded-For', '1.1.1.1'], true, '203.0.113.7'],
  ];
  for (const [label, rawHeaders, trustIncomingXff, expected] of xff) {
    it(`x-forwarded-for: ${label}`, () => {
      assert.deepEqual(get(build({ rawHeaders, trustIncomingXff }), 'x-forwarded-for'), [expected]);
    });
  }

  // [label, raw headers, keepUpgrade, expected connection, expected upgrade]
  const upgrade: [string, string[], boolean, string[], string[]][] = [
    ['websocket kept', ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], true, ['upgrade'], ['websocket']],
    ['websocket with keep-alive token', ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket'], true, ['upgrade'], ['websocket']],
    ['not kept when route disallows', ['Connection', 'Upgrade', 'Upgrade', 'websocket'], false, [], []],
    ['Upgrade without Connection: upgrade', ['Upgrade', 'websocket'], true, [], []],
    ['Connection: upgrade without Upgrade', ['Connection', 'upgrade'], true, [], []],
  ];
  for (const [label, rawHeaders, keepUpgrade, conn, upg] of upgrade) {
    it(`upgrade: ${label}`, () => {
      const out = build({ rawHeaders, keepUpgrade });
      assert.deepEqual(get(out, 'connection'), conn);
      assert.deepEqual(get(out, 'upgrade'), upg);
      if (rawHeaders.includes('Sec-WebSocket-Key')) assert.deepEqual(get(out, 'sec-websocket-key'), ['k']);
    });
  }
});

describe('normalizeAddress', () => {
  const table: [string, string | undefined][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['0x7f000001', undefined],
    ['2130706433', undefined],
    ['unknown', undefined],
    ['', undefined],
    [' 1.2.3.4', undefined],
  ];
  for (const [input, expected] of table) it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(normalizeAddress(input), expected));
});

describe('parseTrustedProxies', () => {
  const t = parseTrustedProxies(['10.0.0.0/8', '192.168.1.5', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108']);
  const table: [string, boolean][] = [
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.5', true],
    ['192.168.1.6', false],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['not-an-ip', false],
  ];
  for (const [addr, expected] of table) it(`${addr} trusted=${expected}`, () => assert.equal(t.contains(addr), expected));

  it('trusts nothing when empty', () => {
    assert.equal(parseTrustedProxies([]).contains('127.0.0.1'), false);
  });

  it('rejects invalid entries naming the config path', () => {
    for (const bad of ['10.0.0.0/33', '::/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', '', '10.0.0.0/-1']) {
      assert.throws(() => parseTrustedProxies(['127.0.0.1', bad]), (e: unknown) => e instanceof ConfigError && e.message.includes('server.trustedProxies[1]'), bad);
    }
  });
});

describe('clientAddressFrom (case 32)', () => {
  const trusted = parseTrustedProxies(['10.0.0.0/8', '::1']);
  // [label, peer, XFF values, expected client]
  const table: [string, string, string[], string][] = [
    ['untrusted peer ignores XFF', '198.51.100.9', ['1.2.3.4'], '198.51.100.9'],
    ['untrusted mapped peer normalized', '::ffff:198.51.100.9', ['1.2.3.4'], '198.51.100.9'],
    ['no trusted proxies: peer is the client', '10.0.0.1', ['1.2.3.4'], '10.0.0.1'],
    ['trusted peer, spoofed + real', '10.0.0.1', ['6.6.6.6, 1.2.3.4'], '1.2.3.4'],
    ['trusted peer, chain of trusted hops', '10.0.0.1', ['6.6.6.6, 1.2.3.4, 10.0.0.2, 10.9.9.9'], '1.2.3.4'],
    ['trusted peer, split XFF headers', '10.0.0.1', ['6.6.6.6', '1.2.3.4, 10.0.0.2'], '1.2.3.4'],
    ['trusted mapped IPv6 peer', '::ffff:10.0.0.1', ['6.6.6.6, 1.2.3.4'], '1.2.3.4'],
    ['trusted peer, no XFF', '10.0.0.1', [], '10.0.0.1'],
    ['trusted peer, only trusted hops', '10.0.0.1', ['10.0.0.3, 10.0.0.2'], '10.0.0.3'],
    ['garbage right-most stops at last trusted hop', '10.0.0.1', ['1.2.3.4, garbage'], '10.0.0.1'],
    ['garbage behind trusted hop', '10.0.0.1', ['1.2.3.4, unknown, 10.0.0.2'], '10.0.0.2'],
    ['port forms accepted', '10.0.0.1', ['6.6.6.6, 1.2.3.4:5555'], '1.2.3.4'],
    ['bracketed IPv6 with port', '::1', ['[2001:DB8::7]:443'], '2001:db8::7'],
    ['IPv6 client behind IPv6 proxy', '::1', ['2001:db8::7'], '2001:db8::7'],
    ['spoofed trusted-looking entry left of real', '10.0.0.1', ['10.0.0.5, 1.2.3.4'], '1.2.3.4'],
    ['empty entries skipped', '10.0.0.1', [' , 1.2.3.4 ,'], '1.2.3.4'],
    ['decimal IP form is not an IP', '10.0.0.1', ['2130706433'], '10.0.0.1'],
  ];
  for (const [label, peer, xff, expected] of table) {
    it(label, () => {
      const t = label.startsWith('no trusted') ? parseTrustedProxies([]) : trusted;
      assert.equal(clientAddressFrom(peer, xff, t), expected);
    });
  }
});
