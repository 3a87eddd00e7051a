import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId, systemRandom } from './ids.ts';

test('newId: prefix + 16 base64url chars (96 bits), distinct across many pool refills', () => {
  const seen = new Set<string>();
  // 4096-byte pool, 12 bytes per id: 2000 ids span several refills.
  for (let i = 0; i < 2000; i++) {
    const id = newId('req');
    assert.match(id, /^req_[A-Za-z0-9_-]{16}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 2000);
});

test('newId with injected randomness uses exactly those bytes', () => {
  const bytes = Buffer.from('000102030405060708090a0b', 'hex');
  assert.equal(newId('agt', () => bytes), `agt_${bytes.toString('base64url')}`);
});

test('systemRandom never hands out the same pool bytes twice', () => {
  const a = systemRandom(12);
  const b = systemRandom(12);
  assert.equal(a.length, 12);
  assert.notDeepEqual(a, b);
  a.fill(0); // a caller mutating its copy must not touch the pool
  assert.notDeepEqual(systemRandom(12), Buffer.alloc(12));
});
