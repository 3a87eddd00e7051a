import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatehouseError } from '../core/errors.ts';
import { blockedAddressReason, checkOutboundUrl } from './outbound-policy.ts';

// [address, expected reason fragment] — every row must be refused with that reason.
const blocked: [string, string][] = [
  ['127.0.0.1', 'loopback (127.0.0.0/8)'],
  ['127.255.255.254', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private (10.0.0.0/8)'],
  ['172.16.0.1', 'private (172.16.0.0/12)'],
  ['172.31.255.255', 'private (172.16.0.0/12)'],
  ['192.168.1.1', 'private (192.168.0.0/16)'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['192.88.99.1', '6to4 relay'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved (240.0.0.0/4)'],
  ['255.255.255.255', 'broadcast'],
  ['::1', 'loopback (::1/128)'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'link-local (fe80::/10)'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['fc00::1', 'unique-local (fc00::/7)'],
  ['fd00:ec2::254', 'unique-local'], // AWS IMDS over IPv6
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped form of 127.0.0.1: loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped form of 127.0.0.1: loopback'],
  ['::FFFF:A9FE:A9FE', 'IPv4-mapped form of 169.254.169.254: link-local'],
  ['0:0:0:0:0:ffff:10.0.0.1', 'IPv4-mapped form of 10.0.0.1: private'],
  ['::127.0.0.1', 'IPv4-compatible (deprecated) form of 127.0.0.1: loopback'],
  ['::8.8.8.8', 'IPv4-compatible (deprecated) (::/96)'],
  ['::ffff:0:8.8.8.8', 'IPv4-translated'],
  ['64:ff9b::127.0.0.1', 'NAT64 form of 127.0.0.1: loopback'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 form of 169.254.169.254'],
  ['64:ff9b:1::8.8.8.8', 'local-use NAT64'],
  ['2002:7f00:1::', '6to4 form of 127.0.0.1: loopback'],
  ['2002:c0a8:101::1', '6to4 form of 192.168.1.1: private'],
  ['2001::1', 'Teredo'],
  ['2001:2::1', 'IETF protocol assignments'],
  ['2001:db8::1', 'documentation (2001:db8::/32)'],
  ['3fff::1', 'documentation (3fff::/20)'],
  ['100::1', 'discard-only'],
  ['4000::1', 'not global unicast'],
  ['::2', 'IPv4-compatible (deprecated) form of 0.0.0.2'],
  // not canonical literals: WHATWG URL normalises these, a bare string never passes
  ['0177.0.0.1', 'not an IP address literal'],
  ['2130706433', 'not an IP address literal'],
  ['0x7f000001', 'not an IP address literal'],
  ['[::1]', 'not an IP address literal'],
  ['localhost', 'not an IP address literal'],
  ['', 'not an IP address literal'],
];

const allowed = ['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '198.20.0.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001::1', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1'];

describe('blockedAddressReason', () => {
  for (const [ip, reason] of blocked) {
    it(`refuses ${JSON.stringify(ip)}`, () => {
      const why = blockedAddressReason(ip);
      assert.ok(why?.includes(reason), `${ip}: got ${why}`);
    });
  }
  for (const ip of allowed) {
    it(`allows public ${ip}`, () => assert.equal(blockedAddressReason(ip), undefined));
  }
});

const refusal = (fragment: string) => (err: unknown): boolean => {
  assert.ok(err instanceof GatehouseError);
  assert.equal(err.code, 'outbound_refused');
  assert.equal(err.status, 400);
  assert.ok(err.message.includes(fragment), err.message);
  return true;
};

// [url, reason fragment] — refused with allowPrivateNetwork: false.
const refusedUrls: [string, string][] = [
  ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is link-local'],
  ['https://169.254.169.254/', '169.254.169.254 is link-local'],
  ['https://127.0.0.1/', '127.0.0.1 is loopback'],
  ['https://[::1]/', '::1 is loopback'],
  ['https://[::ffff:127.0.0.1]/', 'IPv4-mapped form of 127.0.0.1'],
  ['https://[0:0:0:0:0:ffff:7f00:1]:8443/', 'IPv4-mapped form of 127.0.0.1'],
  ['https://2130706433/', '127.0.0.1 is loopback'],
  ['https://0x7f000001/', '127.0.0.1 is loopback'],
  ['https://0177.0.0.1/', '127.0.0.1 is loopback'],
  ['https://127.1/', '127.0.0.1 is loopback'],
  ['https://0x7f.1/', '127.0.0.1 is loopback'],
  ['https://127.0.0.1./', '127.0.0.1 is loopback'],
  ['https://%31%32%37.0.0.1/', '127.0.0.1 is loopback'],
  ['https://0xa9fea9fe/', '169.254.169.254 is link-local'],
  ['https://10.0.0.1/', '10.0.0.1 is private'],
  ['https://192.168.1.1/', '192.168.1.1 is private'],
  ['https://[fe80::1]/', 'fe80::1 is link-local'],
  ['https://0.0.0.0/', '0.0.0.0 is unspecified'],
  ['https://0/', '0.0.0.0 is unspecified'],
  ['https://localhost/', 'loopback name'],
  ['https://api.localhost./', 'loopback name'],
  ['ftp://example.com/jwks', 'scheme "ftp:"'],
  ['file:///etc/passwd', 'scheme "file:"'],
  ['gopher://example.com/', 'scheme "gopher:"'],
  ['https://user:pass@example.com/jwks', 'userinfo'],
  ['https://user@example.com/jwks', 'userinfo'],
  ['http://example.com/jwks', 'plain http:'],
  ['/relative/jwks', 'not a valid absolute URL'],
  ['https://exa mple.com/', 'not a valid absolute URL'],
];

describe('checkOutboundUrl', () => {
  for (const [raw, fragment] of refusedUrls) {
    it(`refuses ${raw}`, () => assert.throws(() => checkOutboundUrl(raw, { allowPrivateNetwork: false }), refusal(fragment)));
  }

  it('never echoes credentials from the URL', () => {
    assert.throws(() => checkOutboundUrl('https://admin:hunter2@example.com/', { allowPrivateNetwork: false }), (err: Error) => !err.message.includes('hunter2'));
  });

  it('accepts public https URLs and returns the normalised URL', () => {
    assert.equal(checkOutboundUrl('https://Issuer.Example.com/.well-known/jwks.json', { allowPrivateNetwork: false }).href, 'https://issuer.example.com/.well-known/jwks.json');
    assert.equal(checkOutboundUrl('https://8.8.8.8/', { allowPrivateNetwork: false }).hostname, '8.8.8.8');
  });

  it('allowPrivateNetwork admits private destinations and plain http, but never other schemes or userinfo', () => {
    const open = { allowPrivateNetwork: true };
    assert.equal(checkOutboundUrl('http://2130706433:8080/keys', open).host, '127.0.0.1:8080');
    assert.equal(checkOutboundUrl('http://[::1]/', open).hostname, '[::1]');
    assert.equal(checkOutboundUrl('http://keycloak.internal/certs', open).hostname, 'keycloak.internal');
    assert.throws(() => checkOutboundUrl('ftp://10.0.0.1/', open), refusal('scheme'));
    assert.throws(() => checkOutboundUrl('http://u:p@10.0.0.1/', open), refusal('userinfo'));
  });
});
