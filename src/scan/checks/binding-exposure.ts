import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { BudgetExhausted, type Evidence, type Finding, type ProbeRequest, type ProbeResponse, type ScanCheck, type ScanContext } from '../types.ts';
import { isLoopbackHost } from '../target-policy.ts';
import { ScanInterrupted } from '../probe.ts';
import { untilBudgetRunsOut } from './check-budget.ts';
import { getSamples } from './endpoint-sample.ts';

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Another address of this machine on which the target's port is tried. */
export interface Candidate {
  origin: string;
  address: string;
  kind: 'loopback-alias' | 'interface';
}

const MAX_INTERFACE_ADDRESSES = 4;

/**
 * Where else to knock for a loopback target: a second loopback address (127.0.0.2 for
 * 127.0.0.1/localhost/::1, else 127.0.0.1) — Linux routes all of 127/8 to lo, so only a socket
 * bound beyond its own address answers there — and this machine's own non-loopback addresses
 * (never anyone else's). Nothing for a non-loopback target.
 */
export function candidateOrigins(target: URL, interfaces: Interfaces): Candidate[] {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isLoopbackHost(host)) return [];
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const at = (address: string, kind: Candidate['kind']): Candidate => ({ origin: `${target.protocol}//${address.includes(':') ? `[${address}]` : address}:${port}`, address, kind });
  const alias = host === '127.0.0.1' || !/^127\./.test(host) ? '127.0.0.2' : '127.0.0.1';
  const own = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    // Link-local IPv6 needs a zone id to be reachable at all; it adds nothing the others do not show.
    .filter((i) => !i.internal && !(i.family === 'IPv6' && /^fe80:/i.test(i.address)))
    .map((i) => i.address);
  return [at(alias, 'loopback-alias'), ...[...new Set(own)].slice(0, MAX_INTERFACE_ADDRESSES).map((a) => at(a, 'interface'))];
}

const REMEDIATION =
  'Bind the service to 127.0.0.1 only (its own host/bind setting — not 0.0.0.0 or ::) and put Gatehouse in front of it: Gatehouse\'s ' +
  'server.listen.host defaults to 127.0.0.1, refuses a non-loopback address unless server.listen.tls is configured, and forwards to the ' +
  'upstream on loopback (routes[].upstream: http://127.0.0.1:<port>). A host firewall is a second layer, not a substitute.';

/** The finding for the addresses that answered, or none. */
export function bindingFinding(target: URL, answered: ReadonlyArray<{ candidate: Candidate; evidence: Evidence }>): Finding | undefined {
  if (answered.length === 0) return undefined;
  const addresses = answered.map((a) => a.candidate.address);
  const network = answered.some((a) => a.candidate.kind === 'interface');
  return {
    rule: 'binding-exposure',
    severity: 'high',
    title: `Service on ${target.host} also answers on ${addresses.join(', ')}: it listens on all interfaces${network ? ' and is reachable from the network' : ', so it is reachable from the network if the host is'}`,
    endpoint: target.host,
    evidence: answered.map((a) => a.evidence),
    remediation: REMEDIATION,
  };
}

/** Binding exposure; `interfaces` is a seam for tests. */
export function createBindingExposureCheck(deps: { interfaces?: () => Interfaces } = {}): ScanCheck {
  return {
    id: 'binding-exposure',
    title: 'Checking network exposure...',
    async run(ctx) {
      const target = ctx.options.target;
      if (!isLoopbackHost(target.hostname)) {
        return [{
          rule: 'binding-exposure/network-target', severity: 'info', title: `Target ${target.host} is a network address: it is reachable beyond this machine by design`,
          endpoint: target.host, evidence: [{ request: target.origin, note: 'binding exposure is only probed for loopback targets' }],
          remediation: 'Make sure only Gatehouse is exposed (TLS via server.listen.tls, every route routes[].auth: strict) and the services behind it listen on 127.0.0.1.',
        }];
      }
      const sample = getSamples(ctx, 1)[0]!;
      const answered: Array<{ candidate: Candidate; evidence: Evidence }> = [];
      await untilBudgetRunsOut(ctx, 'binding-exposure', async () => {
        const baseline = await ctx.probe.send({ method: 'GET', target: sample.target });
        if (baseline.status === 0) return; // the target itself does not answer: nothing to compare
        for (const candidate of candidateOrigins(target, (deps.interfaces ?? networkInterfaces)())) {
          const req = { method: 'GET', target: sample.target, origin: candidate.origin, timeoutMs: Math.min(ctx.options.timeoutMs, 2000) };
          const res = candidate.kind === 'interface' ? await sendUnlessRefused(ctx, req) : await ctx.probe.send(req);
          // Any HTTP answer counts: refused or timed out is status 0.
          if (res && res.status > 0) answered.push({ candidate, evidence: ctx.probe.evidence(req, res, `answered ${res.status} on ${candidate.origin} (the target answered ${baseline.status})`) });
        }
      });
      const finding = bindingFinding(target, answered);
      return finding ? [finding] : [];
    },
  };
}

/**
 * The prober may refuse an origin that is not loopback (this machine's LAN address is still
 * "another host" to it): that candidate is skipped rather than failing the whole check.
 */
async function sendUnlessRefused(ctx: ScanContext, req: ProbeRequest): Promise<ProbeResponse | undefined> {
  try {
    return await ctx.probe.send(req);
  } catch (err) {
    if (err instanceof BudgetExhausted || err instanceof ScanInterrupted) throw err;
    return undefined;
  }
}

/** For a loopback target: does the same port answer on another loopback address or this host's LAN addresses? */
export const bindingExposure: ScanCheck = createBindingExposureCheck();
