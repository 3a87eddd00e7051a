import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeAgent, makeKey, T0, withStore, type StoreFactory } from './fixtures.ts';

/** API keys: insert, lookups, listing, patches, uniqueness, batched last-used touches. */
export function apiKeyCases(factory: StoreFactory): void {
  describe('api keys', () => {
    test('insert then read by id and by hash returns the same record', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const key = makeKey('agt_1', 1, { scopes: [] });
        await store.insertApiKey(key);
        assert.deepEqual(await store.getApiKey(key.id), key);
        assert.deepEqual(await store.findApiKeyByHash(key.hash), key);
        assert.equal(await store.findApiKeyByHash(makeKey('agt_1', 2).hash), undefined);
        assert.equal(await store.getApiKey('key_missing'), undefined);
      }));

    test('listApiKeys filters by agent; without an agent lists all', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        await store.createAgent(makeAgent(2));
        const keys = [makeKey('agt_1', 1), makeKey('agt_2', 2), makeKey('agt_1', 3)];
        for (const k of keys) await store.insertApiKey(k);
        assert.deepEqual(await store.listApiKeys('agt_1'), [keys[0], keys[2]]);
        assert.deepEqual(await store.listApiKeys('agt_2'), [keys[1]]);
        assert.deepEqual(await store.listApiKeys('agt_none'), []);
        assert.deepEqual((await store.listApiKeys()).map((k) => k.id).sort(), ['key_1', 'key_2', 'key_3']);
      }));

    test('a duplicate id or hash is refused with api_key_exists (409)', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const key = makeKey('agt_1', 1);
        await store.insertApiKey(key);
        await assert.rejects(store.insertApiKey(makeKey('agt_1', 2, { id: key.id })), { code: 'api_key_exists', status: 409 });
        await assert.rejects(store.insertApiKey(makeKey('agt_1', 3, { hash: key.hash })), { code: 'api_key_exists', status: 409 });
        assert.deepEqual(await store.listApiKeys(), [key]);
      }));

    test('a key for an unknown agent is refused with agent_not_found', () =>
      withStore(factory, async (store) => {
        await assert.rejects(store.insertApiKey(makeKey('agt_missing', 1)), { code: 'agent_not_found', status: 404 });
        assert.deepEqual(await store.listApiKeys(), []);
      }));

    test('updateApiKey sets, clears and keeps fields as the patch says', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const key = makeKey('agt_1', 1);
        await store.insertApiKey(key);
        const revoked = await store.updateApiKey(key.id, { revokedAt: T0 + 10, replacedBy: 'key_2' });
        assert.deepEqual(revoked, { ...key, revokedAt: T0 + 10, replacedBy: 'key_2' });
        assert.deepEqual(await store.updateApiKey(key.id, {}), revoked, 'an empty patch changes nothing');
        const shortened = await store.updateApiKey(key.id, { expiresAt: T0 + 20 });
        assert.deepEqual(shortened, { ...key, revokedAt: T0 + 10, replacedBy: 'key_2', expiresAt: T0 + 20 });
        const cleared = await store.updateApiKey(key.id, { revokedAt: null, replacedBy: null });
        assert.deepEqual(cleared, { ...key, expiresAt: T0 + 20 });
        assert.deepEqual(await store.getApiKey(key.id), cleared);
        assert.equal(await store.updateApiKey('key_missing', { revokedAt: T0 }), undefined);
      }));

    test('touchApiKeys keeps the newest time per key and never moves it backwards', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        for (const n of [1, 2, 3]) await store.insertApiKey(makeKey('agt_1', n));
        await store.touchApiKeys([]);
        await store.touchApiKeys([
          { id: 'key_1', lastUsedAt: T0 + 100 }, { id: 'key_2', lastUsedAt: T0 + 50 },
          { id: 'key_1', lastUsedAt: T0 + 300 }, { id: 'key_1', lastUsedAt: T0 + 200 }, { id: 'key_unknown', lastUsedAt: T0 },
        ]);
        assert.equal((await store.getApiKey('key_1'))?.lastUsedAt, T0 + 300);
        assert.equal((await store.getApiKey('key_2'))?.lastUsedAt, T0 + 50);
        assert.equal((await store.getApiKey('key_3'))?.lastUsedAt, null);
        await store.touchApiKeys([{ id: 'key_1', lastUsedAt: T0 + 1 }, { id: 'key_2', lastUsedAt: T0 + 60 }]);
        assert.equal((await store.getApiKey('key_1'))?.lastUsedAt, T0 + 300, 'an older touch does not win');
        assert.equal((await store.getApiKey('key_2'))?.lastUsedAt, T0 + 60);
      }));
  });
}
