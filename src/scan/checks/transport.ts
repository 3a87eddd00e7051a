import { isIP } from 'node:net';
import type { Finding, ScanCheck } from '../types.ts';
import { isLoopbackHost } from '../target-policy.ts';
import { tlsHandshake, type HandshakeOptions, type HandshakeResult } from './tls-handshake.ts';

/** Suites nobody should accept: NULL, anonymous, export, RC4, DES/3DES, MD5. SECLEVEL=0 lets OpenSSL offer them. */
export const WEAK_CIPHERS = 'NULL:eNULL:aNULL:EXPORT:RC4:DES:3DES:MD5:@SECLEVEL=0';

/** http:// is a finding by itself: high off loopback, info (fine for now) on it. */
export function plainHttpFinding(target: URL): Finding | undefined {
  if (target.protocol !== 'http:') return undefined;
  const evidence = [{ request: `${target.origin}`, note: 'the target URL is plain http://' }];
  if (isLoopbackHost(target.hostname)) {
    return {
      rule: 'transport/plain-http-loopback', severity: 'info', title: 'Plain HTTP on loopback (fine on loopback; use TLS before exposing it)', evidence,
      remediation: 'Nothing to do while it stays on loopback. Before exposing it, put Gatehouse in front with TLS (server.listen.tls: cert, key): Gatehouse refuses to bind a non-loopback server.listen.host without TLS.',
    };
  }
  return {
    rule: 'transport/plain-http', severity: 'high', title: `Plain HTTP on a network address (${target.host}): credentials and data cross the network in clear text`, evidence,
    remediation: 'Serve it over TLS only: put Gatehouse in front with server.listen.tls (cert, key; minVersion TLSv1.2 by default) — it refuses a non-loopback server.listen.host without TLS — and bind the service itself to 127.0.0.1.',
  };
}

export interface CertFacts {
  authorizationError: string | undefined;
  validFrom: Date;
  validTo: Date;
  hostMatches: boolean;
}

// Dates and names are judged from the certificate itself, so these chain codes would only repeat them.
const COVERED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** What is wrong with a certificate: expired, not yet valid, self-signed, untrusted chain, wrong name. */
export function certificateProblems(c: CertFacts, now: Date): string[] {
  const out: string[] = [];
  if (now > c.validTo) out.push(`expired on ${c.validTo.toISOString()}`);
  if (now < c.validFrom) out.push(`not valid before ${c.validFrom.toISOString()}`);
  if (c.authorizationError === 'DEPTH_ZERO_SELF_SIGNED_CERT' || c.authorizationError === 'SELF_SIGNED_CERT_IN_CHAIN') out.push('self-signed');
  else if (c.authorizationError && !COVERED.has(c.authorizationError)) out.push(`not trusted (${c.authorizationError})`);
  if (!c.hostMatches) out.push('issued for another name');
  return out;
}

export interface Handshakes {
  main: HandshakeResult;
  legacy: HandshakeResult;
  weak: HandshakeResult;
}

/** Findings from the three handshakes with an https target. */
export function tlsFindings(target: URL, hs: Handshakes, now: Date): Finding[] {
  const where = `TLS handshake with ${target.host}`;
  const out: Finding[] = [];
  if (!hs.main.ok) {
    return [{ rule: 'transport/tls-handshake-failed', severity: 'info', title: `No TLS handshake with ${target.host} (${hs.main.error})`, evidence: [{ request: where, note: hs.main.error }], remediation: 'Check that the URL points at a TLS listener (server.listen.tls in Gatehouse).' }];
  }
  if (hs.legacy.ok) {
    out.push({
      rule: 'transport/legacy-tls', severity: 'high', title: `TLS older than 1.2 accepted (${hs.legacy.protocol})`,
      evidence: [{ request: `${where} offering only TLSv1–TLSv1.1`, response: `accepted ${hs.legacy.protocol} (${hs.legacy.cipher})` }],
      remediation: 'Accept TLS 1.2 and later only. Gatehouse listeners never go below TLS 1.2 (server.listen.tls.minVersion: TLSv1.2 by default, or TLSv1.3); if another proxy terminates TLS here, set its minimum protocol to TLSv1.2.',
    });
  }
  const cert = hs.main.cert;
  if (cert) {
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const hostMatches = (isIP(host) ? cert.checkIP(host) : cert.checkHost(host)) !== undefined;
    const problems = certificateProblems({ authorizationError: hs.main.authorizationError, validFrom: new Date(cert.validFrom), validTo: new Date(cert.validTo), hostMatches }, now);
    if (problems.length) {
      out.push({
        rule: 'transport/certificate', severity: 'medium', title: `TLS certificate problem: ${problems.join(', ')}`,
        evidence: [{ request: where, response: `subject ${cert.subject.replace(/\n/g, ', ')}; valid ${cert.validFrom} – ${cert.validTo}`, note: problems.join('; ') }],
        remediation: 'Serve a certificate from a CA the clients trust, valid now, for the name they use (Gatehouse: server.listen.tls.cert/key) and renew it before it expires. A private CA is fine if clients trust it — run the scan with NODE_EXTRA_CA_CERTS=<ca.pem> to trust it too.',
      });
    }
  }
  if (hs.weak.ok) {
    out.push({
      rule: 'transport/weak-cipher', severity: 'medium', title: `Weak TLS cipher suite accepted (${hs.weak.cipher})`,
      evidence: [{ request: `${where} offering only NULL/anonymous/export/RC4/DES/3DES/MD5 suites`, response: `accepted ${hs.weak.protocol} ${hs.weak.cipher}` }],
      remediation: "Disable NULL, anonymous, export, RC4, DES/3DES and MD5 suites. Gatehouse's TLS listeners use Node's default cipher list, which offers none of them.",
    });
  }
  return out;
}

/** The transport check; `ca`, `now` and `handshake` are seams for tests. */
export function createTransportCheck(deps: { ca?: HandshakeOptions['ca']; now?: () => Date; handshake?: typeof tlsHandshake } = {}): ScanCheck {
  const handshake = deps.handshake ?? tlsHandshake;
  // Handshakes only — no HTTP request is sent, so they do not count toward --max-requests.
  const handshakeFindings = async (target: URL, timeoutMs: number): Promise<Finding[]> => {
    const port = Number(target.port || 443);
    const base = { timeoutMs, ...(deps.ca ? { ca: deps.ca } : {}) };
    const [main, legacy, weak] = await Promise.all([
      handshake(target.hostname, port, base),
      handshake(target.hostname, port, { ...base, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      handshake(target.hostname, port, { ...base, minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: WEAK_CIPHERS }),
    ]);
    return tlsFindings(target, { main, legacy, weak }, (deps.now ?? (() => new Date()))());
  };
  return {
    id: 'transport',
    title: 'Checking transport security...',
    async run(ctx) {
      const target = ctx.options.target;
      const plain = plainHttpFinding(target);
      return target.protocol === 'https:' ? handshakeFindings(target, ctx.options.timeoutMs) : plain ? [plain] : [];
    },
  };
}

/** Plain HTTP off loopback, TLS < 1.2, bad certificates, weak cipher suites. */
export const transportSecurity: ScanCheck = createTransportCheck();
