import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from './helpers/gateway-harness.ts';
import { verifyAudit } from '../src/audit/verify-audit.ts';
import { auditSealKey } from '../src/core/hash-chain.ts';

describe('restart keeps agents, keys, policies and the audit chain', () => {
  let h: Harness;
  after(() => h?.close());

  it('a key issued before a restart works after it, and the chain continues intact', async () => {
    h = await startHarness();
    const reader = await h.agentWithKey('survivor', { labels: ['reader'], scopes: ['s:read'] });
    const revoked = await h.agentWithKey('gone', { labels: ['reader'] });
    await h.core.keys.revoke(revoked.keyId, 'test');
    assert.equal((await h.request('/api/a', { headers: { authorization: `Bearer ${reader.key}` } })).status, 200);
    assert.equal((await h.request('/api/a', { method: 'DELETE', headers: { authorization: `Bearer ${reader.key}` } })).status, 403);
    await h.gw.audit.flush();
    const beforeCount = (await verifyAudit(h.core.store)).count;

    await h.restart();

    assert.equal((await h.core.agents.get('survivor')).labels.join(), 'reader');
    assert.equal((await h.request('/api/a', { headers: { authorization: `Bearer ${reader.key}` } })).status, 200);
    assert.equal((await h.request('/api/a', { method: 'DELETE', headers: { authorization: `Bearer ${reader.key}` } })).status, 403, 'policies survive');
    assert.equal((await h.request('/api/a', { headers: { authorization: `Bearer ${revoked.key}` } })).status, 401, 'revocations survive');
    await h.gw.audit.flush();
    const v = await verifyAudit(h.core.store, { sealKey: auditSealKey(h.core.secret.reveal()) });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.count, beforeCount + 3);
  });
});
