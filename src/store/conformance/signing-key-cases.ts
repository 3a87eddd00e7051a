import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SigningKeyRecord } from '../../core/types.ts';
import type { Store } from '../store.ts';
import { T0, withStore, type StoreFactory } from './fixtures.ts';
import { makeSigningKey } from './oauth-fixtures.ts';

type Rotation = Parameters<Store['rotateSigningKeys']>[0];

const activeKids = (keys: readonly SigningKeyRecord[]): string[] => keys.filter((k) => k.activatedAt !== null && k.retiredAt === null).map((k) => k.kid);

/** k1 active (activated at T0 + 10), k2 next: the state after a first activation. */
async function activeAndNext(store: Store): Promise<void> {
  await store.insertSigningKey(makeSigningKey('k1', 1));
  assert.equal(await store.rotateSigningKeys({ retireKid: null, retireExpiresAt: 0, activateKid: 'k1', next: makeSigningKey('k2', 2), now: T0 + 10 }), true);
}

/** Gatehouse's own signing keys: storage, the atomic rotation (also between instances), pruning. */
export function signingKeyCases(factory: StoreFactory): void {
  describe('signing keys', () => {
    test('insert then list returns every key, oldest first, records intact; a duplicate kid is signing_key_exists', () =>
      withStore(factory, async (store) => {
        assert.deepEqual(await store.listSigningKeys(), []);
        const keys = [makeSigningKey('z-old', 1), makeSigningKey('a-new', 3), makeSigningKey('m-mid', 2, { activatedAt: T0 + 5 })];
        for (const k of keys) await store.insertSigningKey(k);
        assert.deepEqual(await store.listSigningKeys(), [keys[0], keys[2], keys[1]]);
        await assert.rejects(store.insertSigningKey(makeSigningKey('z-old', 9)), { code: 'signing_key_exists', status: 409 });
        assert.equal((await store.listSigningKeys()).length, 3);
      }));

    test('a second active key is refused outright', () =>
      withStore(factory, async (store) => {
        await store.insertSigningKey(makeSigningKey('k1', 1, { activatedAt: T0 }));
        await assert.rejects(store.insertSigningKey(makeSigningKey('k2', 2, { activatedAt: T0 })), { status: 409 });
        assert.deepEqual(activeKids(await store.listSigningKeys()), ['k1']);
      }));

    test('first activation, then rotation: retire, activate and insert the next key together', () =>
      withStore(factory, async (store) => {
        await activeAndNext(store);
        assert.deepEqual(await store.listSigningKeys(), [
          makeSigningKey('k1', 1, { activatedAt: T0 + 10 }),
          makeSigningKey('k2', 2),
        ]);
        const next = makeSigningKey('k3', 3);
        assert.equal(await store.rotateSigningKeys({ retireKid: 'k1', retireExpiresAt: T0 + 500, activateKid: 'k2', next, now: T0 + 100 }), true);
        assert.deepEqual(await store.listSigningKeys(), [
          makeSigningKey('k1', 1, { activatedAt: T0 + 10, retiredAt: T0 + 100, expiresAt: T0 + 500 }),
          makeSigningKey('k2', 2, { activatedAt: T0 + 100 }),
          next,
        ]);
      }));

    test('a rotation whose expected state no longer holds returns false and changes nothing', () =>
      withStore(factory, async (store) => {
        await activeAndNext(store);
        await store.insertSigningKey(makeSigningKey('k0', 0, { activatedAt: T0, retiredAt: T0 + 10, expiresAt: T0 + 900 }));
        const before = await store.listSigningKeys();
        const stale: Array<[string, Pick<Rotation, 'retireKid' | 'activateKid'>]> = [
          ['first activation while a key is active', { retireKid: null, activateKid: 'k2' }],
          ['retireKid is the next key, not the active one', { retireKid: 'k2', activateKid: 'k2' }],
          ['retireKid is already retired', { retireKid: 'k0', activateKid: 'k2' }],
          ['retireKid does not exist', { retireKid: 'k-missing', activateKid: 'k2' }],
          ['activateKid is already active', { retireKid: 'k1', activateKid: 'k1' }],
          ['activateKid was retired', { retireKid: 'k1', activateKid: 'k0' }],
          ['activateKid does not exist', { retireKid: 'k1', activateKid: 'k-missing' }],
        ];
        for (const [why, expected] of stale) {
          const ok = await store.rotateSigningKeys({ ...expected, retireExpiresAt: T0 + 999, next: makeSigningKey('k-next', 50), now: T0 + 200 });
          assert.equal(ok, false, why);
          assert.deepEqual(await store.listSigningKeys(), before, `${why}: nothing changed`);
        }
      }));

    test('two instances racing the same first activation: exactly one wins', () =>
      withStore(factory, async (store, harness) => {
        const other = await harness.reopen();
        try {
          for (const kid of ['ka', 'kb']) await store.insertSigningKey(makeSigningKey(kid, 1));
          // Each instance bootstrapped its own key and tries to make it the active one.
          const results = await Promise.all(['ka', 'kb', 'ka', 'kb'].map((kid, i) =>
            (i % 2 ? other : store).rotateSigningKeys({ retireKid: null, retireExpiresAt: 0, activateKid: kid, next: makeSigningKey(`next-${i}`, 10 + i), now: T0 + 10 })));
          assert.equal(results.filter(Boolean).length, 1, `exactly one rotation succeeds, got ${results.join(',')}`);
          const keys = await other.listSigningKeys();
          assert.equal(activeKids(keys).length, 1);
          assert.equal(keys.filter((k) => k.kid.startsWith('next-')).length, 1, 'only the winner inserted its next key');
        } finally {
          await other.close();
        }
      }));

    test('two instances racing the same rotation: exactly one wins, one key active, one next key added', () =>
      withStore(factory, async (store, harness) => {
        const other = await harness.reopen();
        try {
          await activeAndNext(store);
          const rotate = (s: Store, n: number): Promise<boolean> =>
            s.rotateSigningKeys({ retireKid: 'k1', retireExpiresAt: T0 + 500, activateKid: 'k2', next: makeSigningKey(`k3-${n}`, 3), now: T0 + 100 + n });
          const results = await Promise.all([rotate(store, 1), rotate(other, 2), rotate(store, 3), rotate(other, 4)]);
          assert.equal(results.filter(Boolean).length, 1, `exactly one rotation succeeds, got ${results.join(',')}`);
          const winner = results.indexOf(true) + 1;
          assert.deepEqual(await store.listSigningKeys(), [
            makeSigningKey('k1', 1, { activatedAt: T0 + 10, retiredAt: T0 + 100 + winner, expiresAt: T0 + 500 }),
            makeSigningKey('k2', 2, { activatedAt: T0 + 100 + winner }),
            makeSigningKey(`k3-${winner}`, 3),
          ]);
        } finally {
          await other.close();
        }
      }));

    test('pruneSigningKeys deletes only retired keys whose expiresAt has passed (inclusive)', () =>
      withStore(factory, async (store) => {
        const keep = [
          makeSigningKey('active', 3, { activatedAt: T0 }),
          makeSigningKey('next', 4),
          makeSigningKey('retired-later', 2, { activatedAt: T0, retiredAt: T0 + 1, expiresAt: T0 + 101 }),
        ];
        const gone = [
          makeSigningKey('retired-now', 0, { activatedAt: T0, retiredAt: T0 + 1, expiresAt: T0 + 100 }),
          makeSigningKey('retired-past', 1, { activatedAt: T0, retiredAt: T0 + 1, expiresAt: T0 + 50 }),
        ];
        for (const k of [...keep, ...gone]) await store.insertSigningKey(k);
        assert.equal(await store.pruneSigningKeys(T0 + 100), 2);
        assert.deepEqual(await store.listSigningKeys(), [keep[2], keep[0], keep[1]]);
        assert.equal(await store.pruneSigningKeys(T0 + 100), 0);
      }));
  });
}
