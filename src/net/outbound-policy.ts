import { isIP, isIPv4, isIPv6 } from 'node:net';
import { GatehouseError } from '../core/errors.ts';

/**
 * Which destinations Gatehouse may fetch from (SECURITY-CASES 42): only public unicast addresses,
 * so a configured JWKS or webhook URL cannot reach cloud metadata, loopback admin ports or the
 * private network. Pure: no DNS here; safe-fetch.ts applies the same rule to resolved addresses.
 */

type Embedded = 'none' | 'block-if-public' | 'allow-if-public';
// [network, prefix length, label, how an embedded IPv4 address (low 32 bits) is judged]
type Range = readonly [string, number, string, Embedded?];

// First match wins: broadcast precedes 240/4.
const V4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

// Forms that embed an IPv4 address are judged by that address, so ::ffff:7f00:1 is loopback.
const V6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::ffff:0:0', 96, 'IPv4-mapped', 'allow-if-public'],
  ['::ffff:0:0:0', 96, 'IPv4-translated'],
  ['::', 96, 'IPv4-compatible (deprecated)', 'block-if-public'],
  ['64:ff9b::', 96, 'NAT64', 'allow-if-public'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'IETF protocol assignments'],
  ['2002::', 16, '6to4', 'allow-if-public'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

/** An IPv4 address as a 32-bit unsigned integer. */
function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** An IPv6 address as 8 16-bit words; undefined if `ip` is not an IPv6 literal. */
function v6Words(ip: string): number[] | undefined {
  let s = ip.toLowerCase().replace(/%.*$/, ''); // a zone id does not change the address
  if (!isIPv6(s)) return undefined;
  const dotted = /[\d.]+$/.exec(s);
  if (dotted && dotted[0].includes('.')) {
    const n = v4ToInt(dotted[0]);
    s = `${s.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const hex = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const [head = '', tail] = s.split('::');
  if (tail === undefined) return hex(head);
  const a = hex(head);
  const b = hex(tail);
  return [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
}

/** The top `bits` bits of two equal-length word arrays (`width` bits per word) agree. */
function samePrefix(a: readonly number[], b: readonly number[], bits: number, width: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= width) {
    const mask = bits >= width ? 2 ** width - 1 : (2 ** width - 1) - (2 ** (width - bits) - 1);
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
}

const v4Networks = V4_RANGES.map(([net, bits, label]) => ({ words: [v4ToInt(net) >>> 16, v4ToInt(net) & 0xffff], bits, label, cidr: `${net}/${bits}` }));
const v6Networks = V6_RANGES.map(([net, bits, label, embedded = 'none']) => ({ words: v6Words(net)!, bits, label, embedded, cidr: `${net}/${bits}` }));

function v4Reason(ip: string): string | undefined {
  const n = v4ToInt(ip);
  const hit = v4Networks.find((r) => samePrefix([n >>> 16, n & 0xffff], r.words, r.bits, 16));
  return hit && `${hit.label} (${hit.cidr})`;
}

/**
 * Why `ip` is not a public unicast address, or undefined when it is. Anything that is not a
 * canonical IPv4/IPv6 literal (e.g. "0177.0.0.1", "[::1]", a hostname) gets a reason too: fail closed.
 */
export function blockedAddressReason(ip: string): string | undefined {
  if (isIPv4(ip)) return v4Reason(ip);
  const words = v6Words(ip);
  if (!words) return 'not an IP address literal';
  const hit = v6Networks.find((r) => samePrefix(words, r.words, r.bits, 16));
  if (!hit) return samePrefix(words, [0x2000], 3, 16) ? undefined : 'not global unicast (outside 2000::/3)';
  if (hit.embedded === 'none') return `${hit.label} (${hit.cidr})`;
  // 6to4 carries its IPv4 address in words 1-2, the other embedding forms in words 6-7.
  const [hi = 0, lo = 0] = hit.cidr.startsWith('2002:') ? words.slice(1, 3) : words.slice(6, 8);
  const v4 = [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff].join('.');
  const inner = v4Reason(v4);
  if (inner) return `${hit.label} form of ${v4}: ${inner}`;
  return hit.embedded === 'block-if-public' ? `${hit.label} (${hit.cidr})` : undefined;
}

const refused = (message: string): GatehouseError => new GatehouseError('outbound_refused', 400, message);

/**
 * Parses an outbound URL (WHATWG, which normalises 2130706433 / 0x7f000001 / 0177.0.0.1 to
 * 127.0.0.1) and refuses what Gatehouse must not fetch: non-http(s) schemes, credentials in the URL,
 * and — unless the operator explicitly allowed the private network — IP literals that are not
 * public unicast, localhost names and plain http:. Hostnames are checked again after DNS
 * resolution by safe-fetch.ts. Messages name the host, never the full URL (it may carry secrets).
 */
export function checkOutboundUrl(raw: string, opts: { allowPrivateNetwork: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(`scheme "${url.protocol}" is not allowed; only https: (or http: on an allowed private network)`);
  if (url.username !== '' || url.password !== '') throw refused('credentials (userinfo) in the URL are not allowed');
  if (opts.allowPrivateNetwork) return url;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) {
    const why = blockedAddressReason(host);
    if (why) throw refused(`destination ${host} is ${why}; not allowed without allowPrivateNetwork`);
  } else if (/(^|\.)localhost\.?$/.test(host)) {
    throw refused(`destination ${host} is a loopback name; not allowed without allowPrivateNetwork`);
  }
  if (url.protocol === 'http:') throw refused(`plain http: to ${url.host} is not allowed; use https:`);
  return url;
}
