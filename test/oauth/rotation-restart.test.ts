import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

const API = 'https://api.rotation.test/';
const config = (upstream: string) => ({
  // A fixed issuer: the harness binds a new port on restart, and tokens name their issuer.
  oauth: { issuer: 'http://gatehouse.rotation.test', resources: [{ uri: API }], defaultResource: API, rateLimit: { rate: 10_000, burst: 10_000 } },
  routes: [{ id: 'api', path: '/api/*', upstream, resource: API, accept: ['jwt'] }],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*'] }] },
  rateLimit: { perAgent: { rate: 10_000, burst: 10_000 } },
});

async function setup(h: Harness, name: string): Promise<() => Promise<string>> {
  await h.core.agents.create({ name, scopes: ['read'], authMethods: ['client_secret_post'] }, 'test');
  const { secret } = await h.core.oauth.secrets.issue(name, {}, 'test');
  return async () => {
    const res = await h.request('/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: name, client_secret: secret }).toString() });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
}

describe('signing-key rotation in the middle of load (case 14)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(config);
  });
  after(() => h.close());

  it('no request fails while keys rotate; tokens of the previous key keep working', async () => {
    const getToken = await setup(h, 'loader');
    const kids = new Set<string>();
    const statuses = new Map<number, number>();
    let running = true;
    const worker = async (): Promise<void> => {
      let token = await getToken();
      for (let i = 0; running; i++) {
        if (i % 5 === 0) token = await getToken(); // fresh tokens get the newest key
        kids.add(decodeProtectedHeader(token).kid!);
        const res = await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    const before = h.core.oauth.keys.signingKey().kid;
    // Paced by completed requests, not by time: each rotation lands mid-stream however slow the machine is.
    const total = (): number => [...statuses.values()].reduce((a, b) => a + b, 0);
    const after = async (n: number): Promise<void> => {
      const target = total() + n;
      while (total() < target) await new Promise((resolve) => setImmediate(resolve));
    };
    for (let r = 0; r < 3; r++) {
      await after(30);
      assert.equal(await h.core.oauth.keys.rotate(), true);
    }
    await after(30);
    running = false;
    await Promise.all(workers);
    assert.notEqual(h.core.oauth.keys.signingKey().kid, before);
    assert.deepEqual([...statuses.keys()], [200], JSON.stringify(Object.fromEntries(statuses)));
    assert.ok(kids.size >= 2, `tokens from ${kids.size} keys were used`);
  });

  it('the next key is published before it signs, and a rotation activates exactly that key', async () => {
    const published = h.core.oauth.keys.describe();
    const next = published.find((k) => k.state === 'next')!;
    assert.ok(h.core.oauth.keys.jwks().keys.some((k) => k.kid === next.kid));
    await h.core.oauth.keys.rotate();
    assert.equal(h.core.oauth.keys.signingKey().kid, next.kid);
  });
});

describe('restart keeps signing keys and revocations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(config);
  });
  after(() => h.close());

  it('a token issued before the restart still verifies; a revoked one stays revoked', async () => {
    const getToken = await setup(h, 'survivor');
    const kept = await getToken();
    const revoked = await getToken();
    await h.core.store.revokeToken({ jti: JSON.parse(Buffer.from(revoked.split('.')[1]!, 'base64url').toString()).jti, agentId: null, expiresAt: Date.now() + 3_600_000, revokedAt: Date.now() });
    const kidsBefore = h.core.oauth.keys.jwks().keys.map((k) => k.kid).sort();
    await h.restart();
    assert.deepEqual(h.core.oauth.keys.jwks().keys.map((k) => k.kid).sort(), kidsBefore);
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${kept}` } })).status, 200);
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${revoked}` } })).status, 401);
  });
});
