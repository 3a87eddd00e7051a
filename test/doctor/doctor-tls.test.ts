import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAll, expired, failures, fakeServer, fixtures, gateway, has, runDoctor, tlsFiles } from './doctor-fixture.ts';

// `gatehouse doctor` and TLS listeners: certificates, protocol versions, key files.

after(closeAll);

describe('doctor and TLS listeners', () => {
  it('a self-signed certificate warns; TLS 1.3 negotiated and TLS 1.0/1.1 refused pass', async () => {
    const tls = tlsFiles(join(fixtures, 'test-only-cert.pem'), join(fixtures, 'test-only-key.pem'));
    const h = await gateway({ server: { listen: { port: 0, tls } }, admin: { listen: { port: 0, tls } } });
    const { code, lines } = await runDoctor(h);
    assert.deepEqual(failures(lines), []);
    assert.equal(code, 0);
    assert.ok(has(lines, 'warn', /^data plane certificate is self-signed/));
    assert.ok(has(lines, 'pass', /^data plane negotiated TLSv1\.3$/));
    assert.ok(has(lines, 'pass', /^data plane refused a TLS 1\.0\/1\.1 handshake$/));
    assert.ok(has(lines, 'pass', /^admin API certificate valid until \d{4}-\d\d-\d\d/));
  });

  it('an expired certificate fails', async () => {
    const tls = tlsFiles(join(expired, 'expired-cert.pem'), join(expired, 'expired-key.pem'));
    const h = await gateway({ server: { listen: { port: 0, tls } } });
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['data plane certificate expired on 2021-01-01']);
  });

  it('a listener that still accepts TLS 1.1 fails', async () => {
    const tls = tlsFiles(join(fixtures, 'test-only-cert.pem'), join(fixtures, 'test-only-key.pem'));
    const h = await gateway({ server: { listen: { port: 0, tls } } });
    const legacy = await fakeServer(401, { cert: readFileSync(tls.cert, 'utf8'), key: readFileSync(tls.key, 'utf8'), legacy: true });
    const { code, lines } = await runDoctor(h, ['--probe-data', legacy]);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['data plane accepted a TLSv1.1 handshake']);
  });

  it('a TLS private key readable by others fails', async () => {
    const tls = tlsFiles(join(fixtures, 'test-only-cert.pem'), join(fixtures, 'test-only-key.pem'));
    const h = await gateway({ admin: { listen: { port: 0, tls } } });
    chmodSync(tls.key, 0o644);
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), [`admin.listen.tls.key ${tls.key} is mode 0644 (readable by group/others)`]);
  });
});
