import { isIPv4, isIPv6 } from 'node:net';

/**
 * What the scanner may attack. Loopback is the operator's own machine, so it is allowed by default;
 * anything else could be someone else's system and needs `--authorized`, the operator's explicit
 * statement that they are allowed to test it. The WHATWG URL parser has already turned numeric
 * host forms (`2130706433`, `0x7f.1`) into dotted quads, so they cannot dodge the check.
 */

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback, and the name `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (!isIPv6(host)) return false;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // ::ffff:127.0.0.1 (the URL parser writes it as ::ffff:7f00:1).
  const mapped = /^::ffff:(?:(127\.\d+\.\d+\.\d+)|(7f[0-9a-f]{2}):[0-9a-f]{1,4})$/.exec(host);
  return mapped !== null;
}

export type TargetDecision = { ok: true; url: URL; loopback: boolean } | { ok: false; reason: string };

/** Parses and judges a scan target. `authorized` is the operator's --authorized flag. */
export function checkTarget(raw: string, authorized: boolean): TargetDecision {
  if (!URL.canParse(raw)) return { ok: false, reason: `"${raw}" is not a URL; give the base URL, e.g. http://127.0.0.1:8080` };
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `"${raw}" must be an http:// or https:// URL` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'put credentials in --header (they are redacted in the output), not in the URL' };
  url.search = '';
  url.hash = '';
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback && !authorized) {
    return {
      ok: false,
      reason: `${url.host} is not a loopback address; scanning it sends attack traffic to it. Pass --authorized only if you are authorized to test that system`,
    };
  }
  return { ok: true, url, loopback };
}

/** Limits for the numeric options: defaults, and the hard caps no flag can exceed. */
export const SCAN_LIMITS = {
  maxRequests: { default: 2000, min: 1, max: 100_000 },
  rate: { default: 100, min: 1, max: 1000 },
  timeoutMs: { default: 10_000, min: 100, max: 120_000 },
  // Time-based SQL injection probes ask the target to sleep this long: short, and never long.
  maxDelaySeconds: { default: 3, min: 1, max: 10 },
} as const;
