import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certificateProblems, createTransportCheck, plainHttpFinding, type CertFacts } from './transport.ts';
import { testContext } from './check-kit.test-helper.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'tls');
const cert = readFileSync(join(fixtures, 'test-only-cert.pem'));
const key = readFileSync(join(fixtures, 'test-only-key.pem'));

describe('plainHttpFinding', () => {
  const rows: Array<[string, string | undefined]> = [
    ['http://127.0.0.1:8080/api', 'info'],
    ['http://127.0.0.2:8080', 'info'],
    ['http://localhost:3000', 'info'],
    ['http://[::1]:3000', 'info'],
    ['http://10.0.0.5:8080', 'high'],
    ['http://agents.example.com', 'high'],
    ['https://agents.example.com', undefined],
  ];
  for (const [url, severity] of rows) it(url, () => assert.equal(plainHttpFinding(new URL(url))?.severity, severity));
});

describe('certificateProblems', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  const good: CertFacts = { authorizationError: undefined, validFrom: new Date('2030-01-01T00:00:00Z'), validTo: new Date('2031-01-01T00:00:00Z'), hostMatches: true };
  const rows: Array<[string, Partial<CertFacts>, string[]]> = [
    ['trusted, current, right name', {}, []],
    ['expired (chain code not repeated)', { validTo: new Date('2030-05-01T00:00:00Z'), authorizationError: 'CERT_HAS_EXPIRED' }, ['expired on 2030-05-01T00:00:00.000Z']],
    ['not yet valid', { validFrom: new Date('2030-07-01T00:00:00Z'), authorizationError: 'CERT_NOT_YET_VALID' }, ['not valid before 2030-07-01T00:00:00.000Z']],
    ['self-signed', { authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, ['self-signed']],
    ['unknown issuer', { authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, ['not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)']],
    ['wrong name', { hostMatches: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' }, ['issued for another name']],
  ];
  for (const [name, change, expected] of rows) it(name, () => assert.deepEqual(certificateProblems({ ...good, ...change }, now), expected));
});

describe('transport against live TLS servers', () => {
  const servers: Array<ReturnType<typeof createServer>> = [];
  after(() => servers.forEach((s) => s.close()));
  async function serve(opts: TlsOptions, host = '127.0.0.1'): Promise<string> {
    const s = createServer({ cert, key, ...opts }, (sock) => sock.end());
    s.on('tlsClientError', () => {});
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, host, r));
    return `https://${host}:${(s.address() as AddressInfo).port}`;
  }
  const run = (url: string, ca?: Buffer) => createTransportCheck(ca ? { ca } : {}).run(testContext(url));

  it('TLS 1.0, a NULL cipher and a self-signed certificate → high + medium + medium', async () => {
    const url = await serve({ minVersion: 'TLSv1', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0' });
    const findings = await run(url);
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['transport/legacy-tls', 'high'], ['transport/certificate', 'medium'], ['transport/weak-cipher', 'medium']]);
    assert.match(findings[0]!.title, /TLSv1\.1/);
    assert.match(findings[1]!.title, /self-signed/);
    assert.match(findings[2]!.title, /NULL/);
  });

  it('a trusted certificate for another address → only the name problem', async () => {
    const findings = await run(await serve({}, '127.0.0.2'), cert);
    assert.deepEqual(findings.map((f) => f.title), ['TLS certificate problem: issued for another name']);
  });

  it('TLS ≥ 1.2, default ciphers, a trusted certificate for the name → nothing (false-positive control)', async () => {
    assert.deepEqual(await run(await serve({ minVersion: 'TLSv1.2' }), cert), []);
  });

  it('nothing listening → one info finding, no crash', async () => {
    const url = await serve({});
    servers.pop()!.close();
    await new Promise((r) => setImmediate(r));
    const findings = await run(url);
    assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [['transport/tls-handshake-failed', 'info']]);
  });
});
