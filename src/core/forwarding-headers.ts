import { BlockList, isIP } from 'node:net';
import { ConfigError } from './errors.ts';
import { METHOD_OVERRIDE_HEADERS } from './request-limits.ts';

/** Connection-scoped headers (RFC 9110 §7.6.1) never forwarded as received. */
export const HOP_BY_HOP: readonly string[] = [
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate',
];

/** Gatehouse's identity namespace: only Gatehouse may set these towards the upstream (case 31). */
export const IDENTITY_HEADER_PREFIX = 'x-gatehouse-';

/** Credential headers removed when the route strips the caller's credential. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'x-api-key'];

/**
 * Client-supplied headers an upstream might believe about who/where/what the request is:
 * forwarding info (re-set by us), client-certificate claims (case 24) and path-override headers
 * (`X-Original-URL` lets some frameworks route on a path policy never saw). `host` is dropped
 * too: the forwarder derives Host from the route's upstream URL, so a client cannot steer it.
 */
export const CLIENT_SPOOFABLE: readonly string[] = [
  'host', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port',
  'x-forwarded-prefix', 'x-forwarded-server', 'x-forwarded-uri', 'x-real-ip', 'x-client-ip', 'true-client-ip',
  'cf-connecting-ip', 'x-forwarded-client-cert', 'x-ssl-client-cert', 'x-original-url', 'x-original-uri', 'x-rewrite-url',
];

export interface UpstreamHeaderInput {
  /** node's `req.rawHeaders`: `[name, value, name, value, …]`. */
  rawHeaders: readonly string[];
  /** The client as decided by `clientAddressFrom`. */
  clientAddress: string;
  forwardedProto: 'http' | 'https';
  /** The Host the client addressed Gatehouse with; sent as `x-forwarded-host` when defined. */
  host: string | undefined;
  /** Sent as `x-gatehouse-request-id` (Gatehouse's own id, base64url). */
  requestId: string;
  /** Gatehouse identity headers to add, flat `[name, value, …]`, already checked by `checkIdentityHeaders`. */
  identity: readonly string[];
  /** Keep `Connection: upgrade` + `Upgrade` (WebSocket routes, after authorization). */
  keepUpgrade: boolean;
  stripCredentials: boolean;
  /** The socket peer is a trusted proxy: extend its X-Forwarded-For instead of replacing it. */
  trustIncomingXff: boolean;
}

const lower = (s: string): string => s.toLowerCase();
const tokens = (v: string): string[] => v.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\r\n\u0000]/;

// Built once: this runs on every request. `expect`: Node itself answers `100-continue` (and undici
// refuses to send it on).
const ALWAYS_DROP: ReadonlySet<string> = new Set([...HOP_BY_HOP, ...CLIENT_SPOOFABLE, ...METHOD_OVERRIDE_HEADERS, 'expect']);
const CREDENTIALS: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);

/** Lowercase, and in its `-` spelling: CGI-style upstreams (WSGI, Rack, PHP) map `_` and `-` to one variable. */
const canonicalName = (name: string): string => {
  const l = name.toLowerCase();
  return l.includes('_') ? l.replace(/_/g, '-') : l;
};

/**
 * Checks a flat `[name, value, …]` list of identity headers: every name lowercase in Gatehouse's
 * namespace, no value able to break out of its header line. Programming errors, not client input:
 * it throws rather than let a header outside the namespace reach an upstream. Run once per list
 * (lists are cached per identity assertion), not per request.
 */
export function checkIdentityHeaders(list: readonly string[]): readonly string[] {
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    if (name !== lower(name) || !name.startsWith(IDENTITY_HEADER_PREFIX)) throw new Error(`identity header outside namespace: ${name}`);
    if (i + 1 >= list.length || UNSAFE_VALUE.test(list[i + 1]!)) throw new Error(`identity header ${name} has an unsafe value`);
  }
  return list;
}

/**
 * Builds the header list sent upstream from the client's raw headers, flat `[name, value, …]` as
 * undici takes it. Client headers keep their order and case; Gatehouse's own follow them.
 */
export function buildUpstreamHeaders(input: UpstreamHeaderInput): string[] {
  const raw = input.rawHeaders;
  let nominated: Set<string> | undefined;
  let xff: string[] | undefined;
  let upgrade: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = lower(raw[i]!);
    const value = raw[i + 1]!;
    if (name === 'connection') for (const t of tokens(value)) (nominated ??= new Set()).add(canonicalName(t));
    else if (name === 'x-forwarded-for') (xff ??= []).push(...value.split(',').map((s) => s.trim()).filter((s) => s !== ''));
    else if (name === 'upgrade' && upgrade === undefined) upgrade = value;
  }

  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // `X_Gatehouse_Agent` would collide with ours upstream: judge every name in its `-` spelling.
    const l = canonicalName(name);
    // ':'-prefixed names are HTTP/2 pseudo-headers; they are never regular headers upstream.
    if (ALWAYS_DROP.has(l) || nominated?.has(l) || (input.stripCredentials && CREDENTIALS.has(l)) || l.startsWith(IDENTITY_HEADER_PREFIX) || l.startsWith(':')) continue;
    out.push(name, raw[i + 1]!);
  }

  // A trusted proxy's chain is extended; anyone else's is discarded (a client could write anything).
  const chain = input.trustIncomingXff && !nominated?.has('x-forwarded-for') && xff !== undefined && xff.length > 0 ? xff : undefined;
  out.push('x-forwarded-for', chain ? `${chain.join(', ')}, ${input.clientAddress}` : input.clientAddress);
  out.push('x-forwarded-proto', input.forwardedProto);
  if (input.host !== undefined) out.push('x-forwarded-host', input.host);
  if (input.keepUpgrade && upgrade !== undefined && nominated?.has('upgrade')) out.push('connection', 'upgrade', 'upgrade', upgrade);
  out.push('x-gatehouse-request-id', input.requestId);
  for (let i = 0; i < input.identity.length; i++) out.push(input.identity[i]!);
  return out;
}

/** Proxies whose X-Forwarded-For Gatehouse believes (`server.trustedProxies`). */
export interface TrustedProxies {
  readonly entries: readonly string[];
  /** Is this (already normalized or raw) address a trusted proxy? */
  contains(address: string): boolean;
}

/**
 * Normalizes an IP address for comparison and rate-limit keys: IPv4 as dotted quad, IPv6 in
 * RFC 5952 lowercase compressed form, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, zone id dropped.
 * Returns `undefined` for anything that is not an IP literal.
 */
export function normalizeAddress(address: string): string | undefined {
  let a = address;
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone !== -1 && isIP(a) === 6) a = a.slice(0, zone);
  const family = isIP(a);
  if (family === 4) return a;
  if (family !== 6) return undefined;
  const v6 = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const hi = parseInt(mapped[1] ?? '0', 16);
  const lo = parseInt(mapped[2] ?? '0', 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Parses `server.trustedProxies`: single IPv4/IPv6 addresses and CIDRs. Invalid entries are config errors. */
export function parseTrustedProxies(list: readonly string[]): TrustedProxies {
  const block = new BlockList();
  const issues: string[] = [];
  list.forEach((entry, i) => {
    const [addr = '', prefix, extra] = entry.trim().split('/');
    const ip = normalizeAddress(addr);
    const mappedV4 = ip !== undefined && isIP(ip) === 4 && isIP(addr) === 6;
    if (ip === undefined || extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      issues.push(`server.trustedProxies[${i}]: expected an IP address or CIDR, got ${JSON.stringify(entry)}`);
      return;
    }
    let bits = prefix === undefined ? undefined : Number(prefix);
    if (bits !== undefined && mappedV4) bits -= 96; // `::ffff:10.0.0.0/104` is `10.0.0.0/8`
    const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (bits !== undefined && (bits < 0 || bits > (type === 'ipv4' ? 32 : 128))) {
      issues.push(`server.trustedProxies[${i}]: prefix length out of range in ${JSON.stringify(entry)}`);
      return;
    }
    if (bits === undefined) block.addAddress(ip, type);
    else block.addSubnet(ip, bits, type);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const entries = Object.freeze([...list]);
  return Object.freeze({
    entries,
    contains(address: string): boolean {
      if (entries.length === 0) return false; // the common case, on every request: skip the BlockList
      const ip = normalizeAddress(address);
      return ip !== undefined && block.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
    },
  });
}

/** Strips an optional port from an X-Forwarded-For entry (`1.2.3.4:80`, `[::1]:80`). */
function xffEntryAddress(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) return normalizeAddress(bracketed[1] ?? '');
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return normalizeAddress(v4port ? (v4port[1] ?? '') : entry);
}

/**
 * Decides the client address (case 32). An untrusted socket peer is the client. Behind a trusted
 * peer, X-Forwarded-For is walked right to left, skipping trusted hops; the first untrusted
 * address is the client. An entry that is not an IP stops the walk and the last trusted hop
 * (which we know is real) is returned: anything further left may have been written by the client.
 */
export function clientAddressFrom(peer: string, xffValues: readonly string[], trusted: TrustedProxies): string {
  const peerIp = normalizeAddress(peer) ?? peer;
  if (!trusted.contains(peerIp)) return peerIp;
  const hops = xffValues.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  let last = peerIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = xffEntryAddress(hops[i] ?? '');
    if (ip === undefined) return last;
    if (!trusted.contains(ip)) return ip;
    last = ip;
  }
  return last;
}
