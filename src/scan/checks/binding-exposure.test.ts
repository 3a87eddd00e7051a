import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { NetworkInterfaceInfo } from 'node:os';
import { bindingFinding, candidateOrigins, createBindingExposureCheck, type Interfaces } from './binding-exposure.ts';
import { startServer, testContext, testProber } from './check-kit.test-helper.ts';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo;
const host: Interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('10.1.2.3', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')],
  docker0: [nic('10.1.2.3', 'IPv4')],
};

describe('candidateOrigins', () => {
  const rows: Array<[string, Interfaces, string[]]> = [
    ['http://127.0.0.1:8080/api', {}, ['http://127.0.0.2:8080']],
    ['http://localhost:3000', {}, ['http://127.0.0.2:3000']],
    ['http://[::1]:3000', {}, ['http://127.0.0.2:3000']],
    ['http://127.0.0.5:80', {}, ['http://127.0.0.1:80']],
    ['https://127.0.0.1', {}, ['https://127.0.0.2:443']],
    ['http://127.0.0.1:8080', host, ['http://127.0.0.2:8080', 'http://10.1.2.3:8080', 'http://[2001:db8::5]:8080']],
    ['http://10.1.2.3:8080', host, []],
    ['https://agents.example.com', host, []],
  ];
  for (const [url, ifaces, expected] of rows) it(url, () => assert.deepEqual(candidateOrigins(new URL(url), ifaces).map((c) => c.origin), expected));
});

describe('bindingFinding', () => {
  const target = new URL('http://127.0.0.1:8080');
  const alias = { origin: 'http://127.0.0.2:8080', address: '127.0.0.2', kind: 'loopback-alias' as const };
  const lan = { origin: 'http://10.1.2.3:8080', address: '10.1.2.3', kind: 'interface' as const };
  it('nothing answered → no finding', () => assert.equal(bindingFinding(target, []), undefined));
  it('loopback alias → high, "if the host is"', () => {
    const f = bindingFinding(target, [{ candidate: alias, evidence: { request: 'x' } }])!;
    assert.equal(f.severity, 'high');
    assert.match(f.title, /reachable from the network if the host is$/);
  });
  it('own LAN address → high, reachable from the network', () => {
    assert.match(bindingFinding(target, [{ candidate: alias, evidence: { request: 'x' } }, { candidate: lan, evidence: { request: 'y' } }])!.title, /127\.0\.0\.2, 10\.1\.2\.3: it listens on all interfaces and is reachable from the network$/);
  });
});

describe('binding-exposure against live servers', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  after(() => Promise.all(servers.map((s) => s.close())));
  // 127.0.0.3 stands in for a LAN address: real ones differ per machine.
  const check = createBindingExposureCheck({ interfaces: () => ({ eth0: [nic('127.0.0.3', 'IPv4')] }) });
  const ok = (_req: unknown, res: ServerResponse) => res.writeHead(200).end('ok');

  it('bound to 0.0.0.0 → high finding, answered on both other addresses', async () => {
    const srv = await startServer(ok, '0.0.0.0');
    servers.push(srv);
    const ctx = testContext(srv.url);
    const findings = await check.run(ctx);
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['binding-exposure', 'high']]);
    assert.deepEqual(findings[0]!.evidence.map((e) => e.request), [`GET http://127.0.0.2:${srv.port}/`, `GET http://127.0.0.3:${srv.port}/`]);
  });

  it('bound to 127.0.0.1 → nothing (false-positive control), after trying both addresses', async () => {
    const srv = await startServer(ok, '127.0.0.1');
    servers.push(srv);
    const probe = testProber(new URL(srv.url));
    assert.deepEqual(await check.run(testContext(srv.url, { probe })), []);
    assert.deepEqual(probe.log.map((r) => r.origin), [undefined, `http://127.0.0.2:${srv.port}`, `http://127.0.0.3:${srv.port}`]);
  });

  it('a LAN address the prober refuses to contact is skipped, not fatal', async () => {
    const srv = await startServer(ok, '0.0.0.0');
    servers.push(srv);
    const lan = createBindingExposureCheck({ interfaces: () => ({ eth0: [nic('198.51.100.77', 'IPv4')] }) });
    const probe = testProber(new URL(srv.url));
    const findings = await lan.run(testContext(srv.url, { probe }));
    assert.deepEqual(findings.map((f) => f.evidence.length), [1]);
    assert.equal(probe.sent, 2); // baseline + 127.0.0.2; the refused origin was never sent
  });

  it('a network target → one info finding and no requests', async () => {
    const probe = testProber(new URL('http://192.0.2.1:8080'));
    const findings = await check.run(testContext('http://192.0.2.1:8080', { probe }));
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['binding-exposure/network-target', 'info']]);
    assert.equal(probe.sent, 0);
  });
});
