import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeAgent, T0, withStore, type StoreFactory } from './fixtures.ts';

/** Agents: create, read by id and name, list, patch, unique names. */
export function agentCases(factory: StoreFactory): void {
  describe('agents', () => {
    test('create then read by id and by name returns the same agent, arrays intact', () =>
      withStore(factory, async (store) => {
        const agent = makeAgent(1, { labels: [], scopes: ['a', 'b:c', 'ü/é'] });
        await store.createAgent(agent);
        assert.deepEqual(await store.getAgent(agent.id), agent);
        assert.deepEqual(await store.getAgentByName(agent.name), agent);
      }));

    test('unknown id or name reads as undefined', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        assert.equal(await store.getAgent('agt_missing'), undefined);
        assert.equal(await store.getAgentByName('agent-missing'), undefined);
        assert.equal(await store.getAgentByName('AGENT-1'), undefined, 'names match exactly');
      }));

    test('listAgents returns every agent ordered by name', () =>
      withStore(factory, async (store) => {
        assert.deepEqual(await store.listAgents(), []);
        const agents = [makeAgent(3, { name: 'charlie' }), makeAgent(1, { name: 'alpha' }), makeAgent(2, { name: 'bravo' })];
        for (const a of agents) await store.createAgent(a);
        assert.deepEqual((await store.listAgents()).map((a) => a.name), ['alpha', 'bravo', 'charlie']);
        assert.deepEqual(await store.listAgents(), [agents[1], agents[2], agents[0]]);
        for (const [i, name] of ['agent_c', 'agent1', 'agent.a', 'agent-b'].entries()) await store.createAgent(makeAgent(10 + i, { name }));
        const names = (await store.listAgents()).map((a) => a.name);
        assert.deepEqual(names, ['agent-b', 'agent.a', 'agent1', 'agent_c', 'alpha', 'bravo', 'charlie'], 'bytewise, not locale, order');
      }));

    test('a duplicate name or id is refused with agent_exists (409) and changes nothing', () =>
      withStore(factory, async (store) => {
        const original = makeAgent(1);
        await store.createAgent(original);
        await assert.rejects(store.createAgent(makeAgent(2, { name: original.name })), { code: 'agent_exists', status: 409 });
        await assert.rejects(store.createAgent(makeAgent(3, { id: original.id })), { code: 'agent_exists', status: 409 });
        assert.deepEqual(await store.listAgents(), [original]);
      }));

    test('updateAgent changes only the given fields and persists them', () =>
      withStore(factory, async (store) => {
        const agent = makeAgent(1);
        await store.createAgent(agent);
        const suspended = await store.updateAgent(agent.id, { status: 'suspended', updatedAt: T0 + 500 });
        assert.deepEqual(suspended, { ...agent, status: 'suspended', updatedAt: T0 + 500 });
        const edited = await store.updateAgent(agent.id, { description: '', owner: 'other', labels: [], scopes: ['x'], updatedAt: T0 + 600 });
        const expected = { ...agent, status: 'suspended' as const, description: '', owner: 'other', labels: [], scopes: ['x'], updatedAt: T0 + 600 };
        assert.deepEqual(edited, expected);
        assert.deepEqual(await store.getAgent(agent.id), expected);
      }));

    test('updateAgent on an unknown id returns undefined and creates nothing', () =>
      withStore(factory, async (store) => {
        assert.equal(await store.updateAgent('agt_missing', { status: 'revoked', updatedAt: T0 }), undefined);
        assert.deepEqual(await store.listAgents(), []);
      }));
  });
}
