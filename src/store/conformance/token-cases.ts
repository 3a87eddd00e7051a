import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { T0, withStore, type StoreFactory } from './fixtures.ts';
import { makeIssuer } from './oauth-fixtures.ts';

/** Token revocations, one-time assertion ids (replay protection) and trusted issuers. */
export function tokenCases(factory: StoreFactory): void {
  describe('revoked tokens', () => {
    test('revokeToken is idempotent: the first record stays', () =>
      withStore(factory, async (store) => {
        const first = { jti: 'jti-1', agentId: 'agt_1', expiresAt: T0 + 1000, revokedAt: T0 + 10 };
        await store.revokeToken(first);
        await store.revokeToken({ ...first, agentId: null, expiresAt: T0 + 5000, revokedAt: T0 + 20 });
        assert.deepEqual(await store.getRevokedToken('jti-1'), first);
        const anonymous = { jti: 'jti-2', agentId: null, expiresAt: T0 + 1000, revokedAt: T0 + 30 };
        await store.revokeToken(anonymous);
        assert.deepEqual(await store.getRevokedToken('jti-2'), anonymous);
        assert.equal(await store.getRevokedToken('jti-unknown'), undefined);
      }));

    test('pruneRevokedTokens deletes revocations of tokens expired by now (inclusive)', () =>
      withStore(factory, async (store) => {
        for (const [jti, exp] of [['past', 50], ['now', 100], ['later', 101]] as const) {
          await store.revokeToken({ jti, agentId: 'agt_1', expiresAt: T0 + exp, revokedAt: T0 });
        }
        assert.equal(await store.pruneRevokedTokens(T0 + 100), 2);
        assert.equal(await store.getRevokedToken('past'), undefined);
        assert.equal(await store.getRevokedToken('now'), undefined);
        assert.equal((await store.getRevokedToken('later'))?.jti, 'later');
        assert.equal(await store.pruneRevokedTokens(T0 + 100), 0);
      }));
  });

  describe('assertion ids', () => {
    test('an id is accepted once per key; a second use before it expires is a replay', () =>
      withStore(factory, async (store) => {
        assert.equal(await store.recordAssertionId('client:agt_1', 'j1', T0 + 100, T0), true);
        assert.equal(await store.recordAssertionId('client:agt_1', 'j1', T0 + 100, T0 + 1), false);
        assert.equal(await store.recordAssertionId('client:agt_1', 'j1', T0 + 999, T0 + 99), false, 'a later expiry does not reopen it');
        assert.equal(await store.recordAssertionId('client:agt_2', 'j1', T0 + 100, T0 + 1), true, 'keys are separate scopes');
        assert.equal(await store.recordAssertionId('client:agt_1', 'j2', T0 + 100, T0 + 1), true);
      }));

    test('once expired, the id may be recorded again, with the new expiry', () =>
      withStore(factory, async (store) => {
        assert.equal(await store.recordAssertionId('iss', 'j', T0 + 100, T0), true);
        assert.equal(await store.recordAssertionId('iss', 'j', T0 + 300, T0 + 100), true, 'expiresAt <= now counts as absent');
        assert.equal(await store.recordAssertionId('iss', 'j', T0 + 300, T0 + 200), false, 'the new expiry is the one in force');
        assert.equal(await store.recordAssertionId('iss', 'j', T0 + 400, T0 + 300), true);
      }));

    test('purging expired ids never forgets a live one', () =>
      withStore(factory, async (store) => {
        // Enough calls for the adapters' periodic purge to run several times, at advancing times.
        for (let i = 0; i < 250; i++) assert.equal(await store.recordAssertionId('iss', `j${i}`, T0 + i + 50, T0 + i), true);
        for (let i = 0; i < 250; i++) {
          const live = T0 + i + 50 > T0 + 260;
          assert.equal(await store.recordAssertionId('iss', `j${i}`, T0 + 1000, T0 + 260), !live, `j${i} (${live ? 'live' : 'expired'})`);
        }
      }));

    test('two instances racing on the same id: exactly one records it', () =>
      withStore(factory, async (store, harness) => {
        const other = await harness.reopen();
        try {
          for (const [round, jti] of ['a', 'b', 'c', 'd'].entries()) {
            const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
              (i % 2 ? other : store).recordAssertionId('client:agt_1', jti, T0 + 1000, T0 + round)));
            assert.equal(results.filter(Boolean).length, 1, `${jti}: exactly one winner, got ${results.join(',')}`);
          }
          // An expired id taken over by both instances at once: still exactly one.
          const takeover = await Promise.all(Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? other : store).recordAssertionId('client:agt_1', 'a', T0 + 3000, T0 + 1000)));
          assert.equal(takeover.filter(Boolean).length, 1, `takeover: exactly one winner, got ${takeover.join(',')}`);
        } finally {
          await other.close();
        }
      }));
  });

  describe('trusted issuers', () => {
    test('upsert, list by name with every field intact, replace and delete', () =>
      withStore(factory, async (store) => {
        assert.deepEqual(await store.listTrustedIssuers(), []);
        const gh = makeIssuer('github');
        const corp = makeIssuer('corp-idp', {
          jwksUrl: null, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' }] }, audience: 'https://gatehouse.test',
          algorithms: ['ES256'], rules: [], subjectTokens: true, subjectScopes: ['orders:read', 'ü:é'], allowPrivateNetwork: true,
        });
        await store.upsertTrustedIssuer(gh);
        await store.upsertTrustedIssuer(corp);
        assert.deepEqual(await store.listTrustedIssuers(), [corp, gh]);

        const replaced = makeIssuer('github', { issuer: 'https://token.actions.example', jwksUrl: null, jwks: { keys: [] }, subjectTokens: true, createdAt: T0 + 5, updatedAt: T0 + 9 });
        await store.upsertTrustedIssuer(replaced);
        assert.deepEqual(await store.listTrustedIssuers(), [corp, replaced], 'upsert replaces the whole record');

        assert.equal(await store.deleteTrustedIssuer('github'), true);
        assert.equal(await store.deleteTrustedIssuer('github'), false);
        assert.equal(await store.deleteTrustedIssuer('never-existed'), false);
        assert.deepEqual(await store.listTrustedIssuers(), [corp]);
      }));
  });
}
