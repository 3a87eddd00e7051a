import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateVerdicts } from './tls.ts';

const root = join(import.meta.dirname, '..', '..', '..', 'test');
const valid = new X509Certificate(readFileSync(join(root, 'fixtures', 'tls', 'test-only-cert.pem')));
const expired = new X509Certificate(readFileSync(join(root, 'doctor', 'fixtures', 'expired-cert.pem')));
const DAY = 86_400_000;
const lines = (cert: X509Certificate, now: number, names: string[] = []) => certificateVerdicts('data plane', cert, now, names).map((r) => `${r.status} ${r.message}`);

describe('certificateVerdicts', () => {
  it('an expired certificate fails with its date', () => {
    assert.equal(lines(expired, Date.now())[0], 'fail data plane certificate expired on 2021-01-01');
  });

  it('not yet valid fails; close to expiry warns; otherwise it passes with the date', () => {
    const from = Date.parse(valid.validFrom);
    const to = Date.parse(valid.validTo);
    assert.match(lines(valid, from - DAY)[0]!, /^fail data plane certificate is not valid before/);
    assert.match(lines(valid, to - 3 * DAY - 1000)[0]!, /^warn data plane certificate expires in 3 days \(\d{4}-\d\d-\d\d\)$/);
    assert.match(lines(valid, to - 100 * DAY)[0]!, /^pass data plane certificate valid until \d{4}-\d\d-\d\d \(100 days\)$/);
  });

  it('self-signed warns; a name or address the certificate does not cover warns', () => {
    const now = Date.parse(valid.validFrom) + DAY;
    const out = lines(valid, now, ['localhost', '127.0.0.1', 'agent.example.com', '10.0.0.9']);
    assert.ok(out.includes('warn data plane certificate is self-signed (CN=localhost)'));
    assert.deepEqual(out.filter((l) => l.includes('does not cover')), [
      'warn data plane certificate does not cover "agent.example.com"',
      'warn data plane certificate does not cover "10.0.0.9"',
    ]);
  });
});
