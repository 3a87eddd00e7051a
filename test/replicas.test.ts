import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { serviceSkipReason, testServiceUrl } from '../src/store/service-availability.ts';
import { verifyAudit } from '../src/audit/verify-audit.ts';
import { auditSealKey } from '../src/core/hash-chain.ts';
import { defaultConfig, startHarness, type Harness } from './helpers/gateway-harness.ts';

// Two Gatehouse processes' worth of state (two gateways) on one PostgreSQL schema and one Redis:
// what stateless replicas share.
const skip = (await serviceSkipReason('postgres')) || (await serviceSkipReason('redis'));

const API = 'https://api.replicas.test/';

describe('replicas on PostgreSQL + Redis', { skip }, () => {
  const schema = `gh_replicas_${randomBytes(4).toString('hex')}`;
  const prefixDir = mkdtempSync(join(tmpdir(), 'gh-replicas-'));
  let a: Harness;
  let b: Harness;
  before(async () => {
    const shared = (upstream: string) => ({
      ...defaultConfig(upstream),
      store: { url: `${testServiceUrl('postgres')}?schema=${schema}` },
      redis: { url: testServiceUrl('redis') },
      secrets: { serverSecretFile: join(prefixDir, 'server.secret'), masterKeyFile: join(prefixDir, 'master.key') },
      rateLimit: { perAgent: { rate: 0.001, burst: 5 } },
      // Replicas behind one address share one issuer; its keys live in the shared store.
      oauth: { issuer: 'https://gatehouse.replicas.test', resources: [{ uri: API }], defaultResource: API },
      routes: [{ id: 'api', path: '/api/*', upstream, resource: API }],
    });
    a = await startHarness(shared);
    b = await startHarness(shared);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    const client = new pg.Client({ connectionString: testServiceUrl('postgres') });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('a key issued through one replica works on the other; revocation applies on both at once', async () => {
    const agent = await a.agentWithKey(`shared-${randomBytes(3).toString('hex')}`, { labels: ['reader'] });
    const auth = { headers: { authorization: `Bearer ${agent.key}` } };
    assert.equal((await b.request('/api/x', auth)).status, 200);
    await a.core.keys.revoke(agent.keyId, 'test');
    assert.equal((await b.request('/api/x', auth)).status, 401);
    assert.equal((await a.request('/api/x', auth)).status, 401);
  });

  it('the rate-limit budget is shared through Redis', async () => {
    const agent = await a.agentWithKey(`burst-${randomBytes(3).toString('hex')}`, { labels: ['reader'] });
    const auth = { headers: { authorization: `Bearer ${agent.key}` } };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await a.request('/api/x', auth)).status, (await b.request('/api/x', auth)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  });

  it('both replicas extend one intact audit chain', async () => {
    await Promise.all([a.gw.audit.flush(), b.gw.audit.flush()]);
    // Both replicas seal the head with the key derived from the shared server secret.
    const v = await verifyAudit(a.core.store, { sealKey: auditSealKey(a.core.secret.reveal()) });
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    const requests = await a.core.store.queryAudit({ kind: 'request', limit: 1000, order: 'asc' });
    assert.equal(requests.length, 3 + 6);
  });

  it('a token issued by one replica works on the other; revoking it on either refuses it on both (case 15)', async () => {
    const name = `jwt-${randomBytes(3).toString('hex')}`;
    await a.core.agents.create({ name, labels: ['reader'], scopes: ['r'], authMethods: ['client_secret_post'] }, 'test');
    const { secret } = await a.core.oauth.secrets.issue(name, {}, 'test');
    const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    const issued = await a.request('/oauth/token', form({ grant_type: 'client_credentials', client_id: name, client_secret: secret }));
    assert.equal(issued.status, 200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const auth = { headers: { authorization: `Bearer ${token}` } };
    assert.equal((await b.request('/api/x', auth)).status, 200);
    assert.equal((await a.request('/api/x', auth)).status, 200);
    const revoked = await b.request('/oauth/revoke', form({ token, client_id: name, client_secret: secret }));
    assert.equal(revoked.status, 200);
    assert.equal((await a.request('/api/x', auth)).status, 401);
    assert.equal((await b.request('/api/x', auth)).status, 401);
  });
});
