import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../store.ts';
import { makeAgent, makeEntries, makeKey, T0, withStore, type StoreFactory } from './fixtures.ts';
import { makeAgentKey, makeClientSecret, makeIssuer, makeSigningKey } from './oauth-fixtures.ts';
import { signingKeyCases } from './signing-key-cases.ts';
import { tokenCases } from './token-cases.ts';

/** The OAuth token service's storage: auth methods, client secrets, agent keys, and (via the
 * files it calls) signing keys, revocations, assertion ids and trusted issuers. */
export function oauthCases(factory: StoreFactory): void {
  describe('agent auth methods', () => {
    test('authMethods round-trip, are patched only when given, and default to none', () =>
      withStore(factory, async (store) => {
        const agent = makeAgent(1, { authMethods: ['private_key_jwt', 'client_secret_basic'] });
        await store.createAgent(agent);
        await store.createAgent(makeAgent(2));
        assert.deepEqual(await store.getAgent(agent.id), agent);
        assert.deepEqual((await store.listAgents()).map((a) => a.authMethods), [['private_key_jwt', 'client_secret_basic'], []]);
        assert.deepEqual((await store.updateAgent(agent.id, { owner: 'x', updatedAt: T0 + 5 }))?.authMethods, agent.authMethods, 'absent: kept');
        const updated = await store.updateAgent(agent.id, { authMethods: ['client_secret_post'], updatedAt: T0 + 6 });
        assert.deepEqual(updated, { ...agent, owner: 'x', authMethods: ['client_secret_post'], updatedAt: T0 + 6 });
        assert.deepEqual((await store.updateAgent(agent.id, { authMethods: [], updatedAt: T0 + 7 }))?.authMethods, [], 'empty: cleared');
        assert.deepEqual((await store.getAgentByName(agent.name))?.authMethods, []);
      }));
  });

  describe('client secrets', () => {
    test('insert, read by id and by hash, list per agent oldest first', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        await store.createAgent(makeAgent(2));
        const secrets = [makeClientSecret('agt_1', 3), makeClientSecret('agt_2', 2), makeClientSecret('agt_1', 1, { revokedAt: T0 + 5, replacedBy: 'cs_3' })];
        for (const s of secrets) await store.insertClientSecret(s);
        assert.deepEqual(await store.findClientSecretByHash(secrets[0]?.hash ?? ''), secrets[0]);
        assert.deepEqual(await store.getClientSecret('cs_1'), secrets[2]);
        assert.equal(await store.findClientSecretByHash('f'.repeat(64)), undefined);
        assert.equal(await store.getClientSecret('cs_missing'), undefined);
        assert.deepEqual(await store.listClientSecrets('agt_1'), [secrets[2], secrets[0]]);
        assert.deepEqual(await store.listClientSecrets('agt_2'), [secrets[1]]);
        assert.deepEqual(await store.listClientSecrets('agt_none'), []);
      }));

    test('a duplicate id or hash is client_secret_exists (409); an unknown agent is agent_not_found', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const secret = makeClientSecret('agt_1', 1);
        await store.insertClientSecret(secret);
        await assert.rejects(store.insertClientSecret(makeClientSecret('agt_1', 2, { id: secret.id })), { code: 'client_secret_exists', status: 409 });
        await assert.rejects(store.insertClientSecret(makeClientSecret('agt_1', 3, { hash: secret.hash })), { code: 'client_secret_exists', status: 409 });
        await assert.rejects(store.insertClientSecret(makeClientSecret('agt_missing', 4)), { code: 'agent_not_found', status: 404 });
        assert.deepEqual(await store.listClientSecrets('agt_1'), [secret]);
        assert.deepEqual(await store.listClientSecrets('agt_missing'), []);
      }));

    test('updateClientSecret sets, clears and keeps fields as the patch says', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const secret = makeClientSecret('agt_1', 1);
        await store.insertClientSecret(secret);
        const revoked = await store.updateClientSecret(secret.id, { revokedAt: T0 + 10, replacedBy: 'cs_2' });
        assert.deepEqual(revoked, { ...secret, revokedAt: T0 + 10, replacedBy: 'cs_2' });
        assert.deepEqual(await store.updateClientSecret(secret.id, {}), revoked, 'an empty patch changes nothing');
        const cleared = await store.updateClientSecret(secret.id, { revokedAt: null, replacedBy: null, expiresAt: T0 + 20 });
        assert.deepEqual(cleared, { ...secret, expiresAt: T0 + 20 });
        assert.deepEqual(await store.findClientSecretByHash(secret.hash), cleared);
        assert.deepEqual(await store.getClientSecret(secret.id), cleared);
        assert.equal(await store.updateClientSecret('cs_missing', { revokedAt: T0 }), undefined);
      }));
  });

  describe('agent keys', () => {
    test('insert then list per agent, oldest first, JWK intact', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        await store.createAgent(makeAgent(2));
        const keys = [makeAgentKey('agt_1', 2, { alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc' } }), makeAgentKey('agt_1', 1), makeAgentKey('agt_2', 3)];
        for (const k of keys) await store.insertAgentKey(k);
        assert.deepEqual(await store.listAgentKeys('agt_1'), [keys[1], keys[0]]);
        assert.deepEqual(await store.listAgentKeys('agt_2'), [keys[2]]);
        assert.deepEqual(await store.listAgentKeys('agt_none'), []);
      }));

    test('a kid is unique per agent (agent_key_exists), not across agents; an unknown agent is agent_not_found', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        await store.createAgent(makeAgent(2));
        const key = makeAgentKey('agt_1', 1);
        await store.insertAgentKey(key);
        await assert.rejects(store.insertAgentKey(makeAgentKey('agt_1', 2, { kid: key.kid })), { code: 'agent_key_exists', status: 409 });
        await assert.rejects(store.insertAgentKey(makeAgentKey('agt_2', 3, { id: key.id })), { code: 'agent_key_exists', status: 409 });
        await assert.rejects(store.insertAgentKey(makeAgentKey('agt_missing', 4)), { code: 'agent_not_found', status: 404 });
        const sameKidElsewhere = makeAgentKey('agt_2', 5, { kid: key.kid });
        await store.insertAgentKey(sameKidElsewhere);
        assert.deepEqual(await store.listAgentKeys('agt_1'), [key]);
        assert.deepEqual(await store.listAgentKeys('agt_2'), [sameKidElsewhere]);
      }));

    test('revokeAgentKey marks the key revoked once; unknown ids read as undefined', () =>
      withStore(factory, async (store) => {
        await store.createAgent(makeAgent(1));
        const [a, b] = [makeAgentKey('agt_1', 1), makeAgentKey('agt_1', 2)];
        await store.insertAgentKey(a);
        await store.insertAgentKey(b);
        assert.deepEqual(await store.revokeAgentKey(a.id, T0 + 50), { ...a, revokedAt: T0 + 50 });
        assert.deepEqual(await store.revokeAgentKey(a.id, T0 + 90), { ...a, revokedAt: T0 + 50 }, 'revoking again keeps the first time');
        assert.deepEqual(await store.listAgentKeys('agt_1'), [{ ...a, revokedAt: T0 + 50 }, b]);
        assert.equal(await store.revokeAgentKey('akey_missing', T0), undefined);
      }));
  });

  signingKeyCases(factory);
  tokenCases(factory);

  describe('oauth lifecycle', () => {
    test('changeStamp (where offered) changes with every credential, key, revocation and issuer write', (t) =>
      withStore(factory, async (store) => {
        const stamp = store.changeStamp;
        if (stamp === undefined) return t.skip('this adapter offers no changeStamp');
        const writes: Array<[string, () => Promise<unknown>]> = [
          ['createAgent', () => store.createAgent(makeAgent(1))],
          ['updateAgent', () => store.updateAgent('agt_1', { authMethods: ['private_key_jwt'], updatedAt: T0 + 1 })],
          ['insertClientSecret', () => store.insertClientSecret(makeClientSecret('agt_1', 1))],
          ['updateClientSecret', () => store.updateClientSecret('cs_1', { revokedAt: T0 + 2 })],
          ['insertAgentKey', () => store.insertAgentKey(makeAgentKey('agt_1', 1))],
          ['revokeAgentKey', () => store.revokeAgentKey('akey_1', T0 + 3)],
          ['insertSigningKey', () => store.insertSigningKey(makeSigningKey('k1', 1))],
          ['rotateSigningKeys', () => store.rotateSigningKeys({ retireKid: null, retireExpiresAt: 0, activateKid: 'k1', next: makeSigningKey('k2', 2), now: T0 + 4 })],
          ['pruneSigningKeys', () => store.pruneSigningKeys(T0 + 5)],
          ['revokeToken', () => store.revokeToken({ jti: 'j', agentId: 'agt_1', expiresAt: T0 + 9, revokedAt: T0 + 6 })],
          ['pruneRevokedTokens', () => store.pruneRevokedTokens(T0 + 10)],
          ['upsertTrustedIssuer', () => store.upsertTrustedIssuer(makeIssuer('idp'))],
          ['deleteTrustedIssuer', () => store.deleteTrustedIssuer('idp')],
        ];
        for (const [name, write] of writes) {
          const before = stamp();
          await write();
          assert.notEqual(stamp(), before, `${name} changes the stamp`);
        }
      }));

    test('changeStamp (where offered) ignores audit appends, last-used touches and assertion ids, from any connection', (t) =>
      withStore(factory, async (store, harness) => {
        const stamp = store.changeStamp;
        if (stamp === undefined) return t.skip('this adapter offers no changeStamp');
        await store.createAgent(makeAgent(1));
        await store.insertApiKey(makeKey('agt_1', 1));
        // The gateway's audit writer and last-used flusher are another connection on the same database.
        const writer = await harness.reopen();
        const before = stamp();
        await writer.appendAudit(makeEntries(1, 5));
        await writer.touchApiKeys([{ id: 'key_1', lastUsedAt: T0 + 1 }]);
        await writer.recordAssertionId('agt_1', 'jti-1', T0 + 60_000, T0);
        await store.appendAudit(makeEntries(6, 1));
        await store.touchApiKeys([{ id: 'key_1', lastUsedAt: T0 + 2 }]);
        await new Promise((resolve) => setImmediate(resolve)); // past the once-per-turn read
        assert.equal(stamp(), before, 'writes no cache depends on leave the stamp alone');
        // …but a revocation through that other connection moves it.
        await writer.updateApiKey('key_1', { revokedAt: T0 + 3 });
        await new Promise((resolve) => setImmediate(resolve));
        assert.notEqual(stamp(), before, 'a revocation by another connection changes the stamp');
        const afterRevoke = stamp();
        await writer.updateAgent('agt_1', { status: 'suspended', updatedAt: T0 + 4 });
        await new Promise((resolve) => setImmediate(resolve));
        assert.notEqual(stamp(), afterRevoke, 'a suspension by another connection changes the stamp');
        await writer.close();
      }));

    test('secrets, keys, signing keys, revocations, assertion ids and issuers survive close and reopen', () =>
      withStore(factory, async (store, harness) => {
        const agent = makeAgent(1, { authMethods: ['client_secret_post'] });
        const secret = makeClientSecret(agent.id, 1);
        const key = makeAgentKey(agent.id, 1);
        const revoked = { jti: 'jti-1', agentId: agent.id, expiresAt: T0 + 1000, revokedAt: T0 };
        const issuer = makeIssuer('idp', { subjectTokens: true, allowPrivateNetwork: true });
        await store.createAgent(agent);
        await store.insertClientSecret(secret);
        await store.insertAgentKey(key);
        await store.insertSigningKey(makeSigningKey('k1', 1));
        assert.equal(await store.rotateSigningKeys({ retireKid: null, retireExpiresAt: 0, activateKid: 'k1', next: makeSigningKey('k2', 2), now: T0 + 3 }), true);
        const signing = await store.listSigningKeys();
        await store.revokeToken(revoked);
        assert.equal(await store.recordAssertionId('iss', 'j1', T0 + 1000, T0), true);
        await store.upsertTrustedIssuer(issuer);
        await store.close();

        const reopened: Store = await harness.reopen();
        try {
          assert.deepEqual(await reopened.getAgent(agent.id), agent);
          assert.deepEqual(await reopened.findClientSecretByHash(secret.hash), secret);
          assert.deepEqual(await reopened.listAgentKeys(agent.id), [key]);
          assert.deepEqual(await reopened.listSigningKeys(), signing);
          assert.deepEqual(await reopened.getRevokedToken('jti-1'), revoked);
          assert.equal(await reopened.recordAssertionId('iss', 'j1', T0 + 1000, T0 + 1), false, 'a replay is still a replay after restart');
          assert.deepEqual(await reopened.listTrustedIssuers(), [issuer]);
        } finally {
          await reopened.close();
        }
      }));
  });
}
