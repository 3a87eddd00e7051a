import { isIP } from 'node:net';
import { isLoopback } from '../../config/exposure.ts';
import type { Config, ListenerConfig } from '../../config/schema.ts';
import { fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck, DoctorContext, ListenerName } from '../types.ts';
import { probeStrictRoute } from '../route-probe.ts';

export interface ListenerSpec {
  name: ListenerName;
  label: string;
  field: 'server.listen' | 'admin.listen';
  listen(config: Readonly<Config>): ListenerConfig;
}

export const LISTENER_SPECS: readonly ListenerSpec[] = [
  { name: 'data', label: 'data plane', field: 'server.listen', listen: (c) => c.server.listen },
  { name: 'admin', label: 'admin API', field: 'admin.listen', listen: (c) => c.admin.listen },
];

const where = (l: ListenerConfig): string => `${isIP(l.host) === 6 ? `[${l.host}]` : l.host}:${l.port}`;
const note = (l: ListenerConfig, what: string): string => `(${what}${l.port === 0 ? '; port chosen at start' : ''})`;

/** Layer 1 of the article, from the config: loopback, or TLS; the insecure-public override is a FAIL. */
export function bindVerdict(spec: ListenerSpec, l: ListenerConfig): CheckResult[] {
  const unusedOverride = l.insecurePublic
    ? [warn(`${spec.field}.insecurePublic is set but has no effect here`, `Remove it: it would silently allow a clear-text public bind the day someone changes ${spec.field}.host.`)]
    : [];
  if (isLoopback(l.host)) return [pass(`${spec.label} bound to ${where(l)} ${note(l, 'loopback')}`), ...unusedOverride];
  if (l.tls) return [pass(`${spec.label} bound to ${where(l)} with TLS ${note(l, 'reachable from the network')}`), ...unusedOverride];
  const fix = `Bind ${spec.field}.host: 127.0.0.1 and reach it through an SSH tunnel or VPN, or set ${spec.field}.tls (cert + key).`;
  if (l.insecurePublic) {
    return [fail(`${spec.label} bound to ${where(l)} without TLS (insecure-public override)`, `${spec.field}.insecurePublic: true sends credentials across the network in clear text. ${fix} Then remove insecurePublic.`)];
  }
  return [fail(`${spec.label} bound to ${where(l)} without TLS: Gatehouse refuses to start like this`, fix)];
}

/** The addresses a loopback-only listener must NOT answer on: another 127/8 address (an any-address bind answers there) and this machine's own. */
export function otherAddressesFor(host: string, local: readonly string[]): string[] {
  const h = host.replace(/^\[|\]$/g, '');
  const loop4 = isIP(h) === 4 || h === 'localhost' ? [h === '127.0.0.2' ? '127.0.0.3' : '127.0.0.2'] : [];
  return [...loop4, ...local].slice(0, 8);
}

/** Is it listening, and (for a loopback bind) does it answer anywhere else? `listening` gates the later probes. */
async function probeListener(ctx: DoctorContext, spec: ListenerSpec, l: ListenerConfig): Promise<{ results: CheckResult[]; listening: boolean }> {
  const target = ctx.targets[spec.name];
  if ('skip' in target) return { results: [warn(`${spec.label} ${target.skip}`)], listening: false };
  const url = target.url;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (!(await ctx.probes.tcp(url.hostname, port))) {
    const flag = spec.name === 'data' ? '--probe-data' : '--probe-admin';
    return { results: [fail(`nothing is listening at ${url.origin} (${spec.label})`, `Is Gatehouse running? If it listens elsewhere, pass ${flag} URL; --no-probe checks the configuration only.`)], listening: false };
  }
  const out = [pass(`${spec.label} is listening at ${url.origin}`)];
  // Only meaningful when we reached the configured loopback bind itself.
  if (!isLoopback(l.host) || !isLoopback(url.hostname)) return { results: out, listening: true };
  const others = otherAddressesFor(l.host, ctx.otherAddresses());
  const open = (await Promise.all(others.map(async (a) => ((await ctx.probes.tcp(a, port)) ? a : undefined)))).filter((a) => a !== undefined);
  if (open.length > 0) {
    out.push(fail(`${spec.label} also answers on ${open.map((a) => `${isIP(a) === 6 ? `[${a}]` : a}:${port}`).join(', ')}, though ${spec.field}.host is ${l.host}`,
      'Something exposes this port beyond loopback: a process bound to all interfaces, a container port mapping or a forwarder. Remove it, or firewall the port (default deny incoming).'));
  } else if (others.length > 0) {
    out.push(pass(`${spec.label} does not answer on other addresses (${others.join(', ')})`));
  }
  return { results: out, listening: true };
}

/** Config verdict, then the probes: listening, answering only on loopback, enforcing authentication. */
export const listenersCheck: DoctorCheck = {
  id: 'listeners',
  title: 'Listeners: loopback or TLS, and what answers',
  async run(ctx) {
    const config = ctx.loaded.config;
    const results: CheckResult[] = [];
    let dataListening = false;
    for (const spec of LISTENER_SPECS) {
      const l = spec.listen(config);
      const probed = await probeListener(ctx, spec, l);
      results.push(...bindVerdict(spec, l), ...probed.results);
      if (spec.name === 'data') dataListening = probed.listening;
    }
    if (dataListening) results.push(...(await probeStrictRoute(ctx)));
    return results;
  },
};
