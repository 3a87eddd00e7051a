import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { isLoopback } from '../../config/exposure.ts';
import type { ListenerConfig } from '../../config/schema.ts';
import { fail, octal, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck, DoctorContext } from '../types.ts';
import { LISTENER_SPECS, type ListenerSpec } from './listeners.ts';

const DAY = 86_400_000;
/** A certificate closer to expiry than this is a warning: renewal should have happened. */
export const EXPIRY_WARNING_DAYS = 14;
const MODERN = new Set(['TLSv1.2', 'TLSv1.3']);

type Tls = NonNullable<ListenerConfig['tls']>;

/** Validity window, self-signature and the names it covers. `names`: hosts clients use to reach the listener. */
export function certificateVerdicts(label: string, cert: X509Certificate, now: number, names: readonly string[]): CheckResult[] {
  const out: CheckResult[] = [];
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  const date = new Date(to).toISOString().slice(0, 10);
  const renew = 'Renew the certificate (tls.cert / tls.key) and restart Gatehouse.';
  if (to <= now) out.push(fail(`${label} certificate expired on ${date}`, renew));
  else if (from > now) out.push(fail(`${label} certificate is not valid before ${new Date(from).toISOString().slice(0, 10)}`, 'Check the clock of this machine, or the certificate.'));
  else {
    const days = Math.floor((to - now) / DAY);
    if (days < EXPIRY_WARNING_DAYS) out.push(warn(`${label} certificate expires in ${days} day${days === 1 ? '' : 's'} (${date})`, renew));
    else out.push(pass(`${label} certificate valid until ${date} (${days} days)`));
  }
  if (cert.checkIssued(cert) && cert.verify(cert.publicKey)) {
    out.push(warn(`${label} certificate is self-signed (${cert.subject.replace(/\n/g, ', ')})`, 'Clients must pin it explicitly; a certificate from a CA they trust is safer to roll out and to rotate.'));
  }
  for (const name of names) {
    const h = name.replace(/^\[|\]$/g, '');
    const covered = isIP(h) === 0 ? cert.checkHost(h) !== undefined : cert.checkIP(h) !== undefined;
    if (!covered) out.push(warn(`${label} certificate does not cover "${h}"`, 'Clients that verify the hostname (they all should) will refuse it. Issue the certificate for the name clients use.'));
  }
  return out;
}

/** The files: readable, key private to its owner and matching the certificate. */
function fileVerdicts(spec: ListenerSpec, tls: Tls, baseDir: string): { results: CheckResult[]; cert: X509Certificate | undefined } {
  const certPath = resolve(baseDir, tls.cert);
  const keyPath = resolve(baseDir, tls.key);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certPath));
  } catch (err) {
    return { results: [fail(`${spec.field}.tls.cert ${certPath} cannot be read as a PEM certificate (${(err as NodeJS.ErrnoException).code ?? 'invalid'})`)], cert: undefined };
  }
  const results: CheckResult[] = [pass(`${spec.label} TLS: minimum version ${tls.minVersion} (${spec.field}.tls.minVersion)`)];
  try {
    const mode = statSync(keyPath).mode;
    if ((mode & 0o077) !== 0) results.push(fail(`${spec.field}.tls.key ${keyPath} is mode ${octal(mode)} (readable by group/others)`, `chmod 600 ${keyPath}`));
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))) results.push(fail(`${spec.field}.tls.key does not belong to ${spec.field}.tls.cert`));
  } catch (err) {
    results.push(fail(`${spec.field}.tls.key ${keyPath} cannot be read as a private key (${(err as NodeJS.ErrnoException).code ?? 'invalid'})`));
  }
  return { results, cert };
}

/** Handshakes with the running listener: the protocol it picks, that it refuses TLS 1.0/1.1, and the certificate it serves. */
async function probeVerdicts(ctx: DoctorContext, spec: ListenerSpec, fileCert: X509Certificate | undefined): Promise<CheckResult[]> {
  const target = ctx.targets[spec.name];
  if ('skip' in target) return [];
  const host = target.url.hostname;
  const port = Number(target.url.port || 443);
  const modern = await ctx.probes.tls(host, port);
  if (!modern.ok) return [warn(`${spec.label} TLS handshake failed (${modern.message || modern.code})`)];
  const out: CheckResult[] = [MODERN.has(modern.protocol)
    ? pass(`${spec.label} negotiated ${modern.protocol}`)
    : fail(`${spec.label} negotiated ${modern.protocol}`, `Set ${spec.field}.tls.minVersion: TLSv1.2 (or TLSv1.3).`)];
  const served = modern.cert;
  if (served && fileCert && served.fingerprint256 !== fileCert.fingerprint256) {
    out.push(warn(`${spec.label} serves a different certificate than ${spec.field}.tls.cert`, 'The file was probably renewed; restart Gatehouse to serve it.'));
    out.push(...certificateVerdicts(`${spec.label} (served)`, served, ctx.now(), []));
  }
  const legacy = await ctx.probes.tls(host, port, { legacy: true });
  if (legacy.ok) out.push(fail(`${spec.label} accepted a ${legacy.protocol} handshake`, `TLS below 1.2 is broken. Set ${spec.field}.tls.minVersion: TLSv1.2 and make sure nothing in front of Gatehouse terminates older versions.`));
  else if (legacy.code !== 'ERR_SSL_NO_PROTOCOLS_AVAILABLE') out.push(pass(`${spec.label} refused a TLS 1.0/1.1 handshake`));
  return out;
}

/** For every listener with TLS: the files, the certificate, and what the running listener negotiates. */
export const tlsCheck: DoctorCheck = {
  id: 'tls',
  title: 'TLS: protocol versions and certificates',
  async run(ctx) {
    const { config, baseDir } = ctx.loaded;
    const results: CheckResult[] = [];
    for (const spec of LISTENER_SPECS) {
      const listen = spec.listen(config);
      if (!listen.tls) continue;
      const files = fileVerdicts(spec, listen.tls, baseDir);
      results.push(...files.results);
      const target = ctx.targets[spec.name];
      // An any-address bind probed on loopback says nothing about the name clients use.
      const any = ['0.0.0.0', '::', '[::]'].includes(listen.host);
      const names = 'url' in target ? (any && isLoopback(target.url.hostname) ? [] : [target.url.hostname]) : any ? [] : [listen.host];
      if (files.cert) results.push(...certificateVerdicts(spec.label, files.cert, ctx.now(), names));
      results.push(...(await probeVerdicts(ctx, spec, files.cert)));
    }
    return results;
  },
};
