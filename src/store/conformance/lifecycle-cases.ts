import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeAgent, makeEntries, makeKey, T0, withStore, type StoreFactory } from './fixtures.ts';
import { verifyStoredChain } from './audit-cases.ts';

/** Settings, migrations, liveness, and durability across close and reopen. */
export function lifecycleCases(factory: StoreFactory): void {
  describe('settings', () => {
    test('get, set and overwrite', () =>
      withStore(factory, async (store) => {
        assert.equal(await store.getSetting('admin.token_hash'), undefined);
        await store.setSetting('admin.token_hash', 'h1');
        assert.equal(await store.getSetting('admin.token_hash'), 'h1');
        await store.setSetting('admin.token_hash', '');
        assert.equal(await store.getSetting('admin.token_hash'), '', 'an empty string is a value, not absence');
      }));

    test('setSettingIfAbsent stores only the first value and always returns the stored one', () =>
      withStore(factory, async (store, harness) => {
        assert.equal(await store.setSettingIfAbsent('instance.id', 'first'), 'first');
        assert.equal(await store.setSettingIfAbsent('instance.id', 'second'), 'first');
        assert.equal(await store.getSetting('instance.id'), 'first');
        const other = await harness.reopen();
        try {
          const racers = ['a', 'b', 'c', 'd', 'e', 'f'];
          const won = await Promise.all(racers.map((v, i) => (i % 2 ? store : other).setSettingIfAbsent('race', v)));
          assert.equal(new Set(won).size, 1, `every racer sees the same winner, got ${won.join(',')}`);
          assert.equal(await store.getSetting('race'), won[0]);
        } finally {
          await other.close();
        }
      }));
  });

  describe('lifecycle', () => {
    test('ping answers and migrate is idempotent', () =>
      withStore(factory, async (store) => {
        await store.ping();
        await store.createAgent(makeAgent(1));
        await store.migrate();
        await store.migrate();
        assert.equal((await store.listAgents()).length, 1, 'a second migrate keeps the data');
      }));

    test('agents, keys, audit records, head and settings survive close and reopen', () =>
      withStore(factory, async (store, harness) => {
        const agent = makeAgent(1);
        const key = makeKey(agent.id, 1);
        await store.createAgent(agent);
        await store.insertApiKey(key);
        await store.touchApiKeys([{ id: key.id, lastUsedAt: T0 + 9 }]);
        const records = await store.appendAudit(makeEntries(1, 4));
        await store.setSetting('k', 'v');
        await store.close();
        await store.close(); // closing twice is harmless

        const reopened = await harness.reopen();
        try {
          assert.deepEqual(await reopened.getAgent(agent.id), agent);
          assert.deepEqual(await reopened.findApiKeyByHash(key.hash), { ...key, lastUsedAt: T0 + 9 });
          assert.deepEqual((await verifyStoredChain(reopened)).records, records);
          assert.deepEqual(await reopened.getAuditHead(), { seq: 4, hash: records[3]?.hash, seal: null });
          assert.equal(await reopened.getSetting('k'), 'v');
          assert.deepEqual(seqs(await reopened.appendAudit(makeEntries(5, 1))), [5], 'the chain continues after reopen');
          await verifyStoredChain(reopened);
        } finally {
          await reopened.close();
        }
      }));
  });
}

function seqs(records: ReadonlyArray<{ seq: number }>): number[] {
  return records.map((r) => r.seq);
}
