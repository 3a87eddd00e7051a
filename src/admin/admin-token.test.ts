import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { Secret } from '../core/secret.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { ADMIN_TOKEN_SETTING, ensureAdminToken, generateAdminToken, resetAdminToken, verifyAdminToken } from './admin-token.ts';

const secret = new Secret('s'.repeat(40));
let store: Store;
before(async () => {
  store = await openStore('sqlite::memory:');
});
after(() => store.close());

test('generated tokens are gta_ + 43 base64url characters of 32 random bytes', () => {
  const token = generateAdminToken(() => new Uint8Array(32).fill(0xff));
  assert.equal(token, `gta_${Buffer.alloc(32, 0xff).toString('base64url')}`);
  assert.match(generateAdminToken(), /^gta_[A-Za-z0-9_-]{43}$/);
  assert.throws(() => generateAdminToken(() => new Uint8Array(16)));
});

test('ensure creates one token, returns it once, and stores only its hash', async () => {
  const clock = new ManualClock();
  const [a, b] = await Promise.all([ensureAdminToken(store, secret, { clock }), ensureAdminToken(store, secret, { clock })]);
  const created = [a, b].filter((t) => t !== undefined);
  assert.equal(created.length, 1, 'exactly one concurrent caller wins');
  const token = created[0]!;
  assert.equal(await ensureAdminToken(store, secret), undefined);
  const stored = await store.getSetting(ADMIN_TOKEN_SETTING);
  assert.match(stored ?? '', /^[0-9a-f]{64}$/);
  assert.ok(!stored!.includes(token.slice(4)));
  assert.equal(await verifyAdminToken(store, secret, token), true);
  const audit = await store.queryAudit({ kind: 'admin', limit: 10, order: 'asc' });
  assert.deepEqual(audit.map((r) => r.action), ['admin_token.create']);
});

test('verify refuses wrong, altered, whitespace-padded and other-secret tokens', async () => {
  const token = await resetAdminToken(store, secret, { actor: 'test' });
  const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
  for (const bad of [flipped, `${token}\n`, ` ${token}`, token.slice(0, -1), '', generateAdminToken()]) {
    assert.equal(await verifyAdminToken(store, secret, bad), false, JSON.stringify(bad));
  }
  assert.equal(await verifyAdminToken(store, new Secret('t'.repeat(40)), token), false);
  assert.equal(await verifyAdminToken(store, secret, token), true);
});

test('reset replaces the token at once and is audited with the actor', async () => {
  const old = await resetAdminToken(store, secret, { actor: 'cli:alice' });
  const fresh = await resetAdminToken(store, secret, { actor: 'cli:bob' });
  assert.notEqual(old, fresh);
  assert.equal(await verifyAdminToken(store, secret, old), false);
  assert.equal(await verifyAdminToken(store, secret, fresh), true);
  const last = (await store.queryAudit({ kind: 'admin', limit: 1, order: 'desc' }))[0];
  assert.equal(last?.action, 'admin_token.reset');
  assert.equal(last?.actor, 'cli:bob');
});

test('with no token stored, nothing verifies', async () => {
  const empty = await openStore('sqlite::memory:');
  try {
    assert.equal(await verifyAdminToken(empty, secret, generateAdminToken()), false);
  } finally {
    await empty.close();
  }
});
