import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SigningKeyRecord } from '../../core/types.ts';
import { signingKeyVerdicts } from './signing-keys.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 0, 10);
const key = (kid: string, state: 'active' | 'next' | 'retired', activatedAgoH = 1): SigningKeyRecord => ({
  kid, alg: 'ES256', publicJwk: {}, privateEnc: '', createdAt: NOW - 48 * H,
  activatedAt: state === 'next' ? null : NOW - activatedAgoH * H,
  retiredAt: state === 'retired' ? NOW - H : null, expiresAt: state === 'retired' ? NOW + H : null,
});
const lines = (keys: SigningKeyRecord[], rotationHours = 24) => signingKeyVerdicts(keys, rotationHours, NOW).map((r) => `${r.status} ${r.message}`);

describe('signingKeyVerdicts', () => {
  it('one young active key and a published next key pass', () => {
    assert.deepEqual(lines([key('k1', 'retired'), key('k2', 'active', 3), key('k3', 'next')]), [
      'pass active signing key k2 is 3h old (rotation every 1d)',
      'pass next signing key k3 is published ahead of use',
    ]);
  });

  it('an active key past the period plus the margin warns that rotation is not running; within the margin it passes', () => {
    assert.match(lines([key('k2', 'active', 30), key('k3', 'next')])[0]!, /^warn active signing key k2 is 1d 6h old, older than the rotation period \(1d\): is rotation running\?$/);
    assert.match(lines([key('k2', 'active', 25), key('k3', 'next')])[0]!, /^pass /); // 1 h late < 10 % of 24 h
    assert.match(lines([key('k2', 'active', 1)], 0.5)[0]!, /^warn .*older than the rotation period \(30m\)/);
  });

  it('no active key, or more than one, fails; no next key or no keys at all warns', () => {
    assert.match(lines([key('k3', 'next')])[0]!, /^fail no active signing key/);
    assert.match(lines([key('a', 'active'), key('b', 'active')])[0]!, /^fail 2 signing keys are active at once \(a, b\)$/);
    assert.equal(lines([key('k2', 'active')])[1], 'warn no next signing key is published');
    assert.deepEqual(lines([]), ['warn no token-signing keys yet']);
  });
});
