import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertRejected, attackConfig, fromRaw, fromResponse, rawExchange, rawGet, snapshot } from './attack-kit.ts';

// Rate limits per client address (public routes), the authentication-failure lockout, and
// upgrades on routes that do not allow them: each refusal reaches no upstream and is audited once.

describe('per-address limits on public routes, and upgrades where none are allowed', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((u) => ({ ...attackConfig(u), rateLimit: { perAgent: { rate: 1000, burst: 1000 }, perAddress: { rate: 0.001, burst: 2 }, authFailures: { maxFailures: 10_000 } } }));
  });
  after(() => h.close());

  it('a public route serves its burst to one address, then 429 with Retry-After and RateLimit headers', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await h.request('/public/a')).status, 200);
    const before = await snapshot(h);
    const res = await h.request('/public/a');
    await assertRejected(h, before, fromResponse(res), { status: 429, reason: 'rate_limited' });
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.match(res.headers.get('ratelimit-policy') ?? '', /q=2/);
    assert.match(res.headers.get('ratelimit') ?? '', /r=0/);
  });

  it('a WebSocket upgrade on a route without `websocket: true` → 400 before anything is forwarded', async () => {
    const before = await snapshot(h);
    const r = await rawExchange(h.gw.dataUrl, rawGet('/api/ws', ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']));
    await assertRejected(h, before, fromRaw(r), { status: 400, reason: 'bad_request' });
  });
});

describe('authentication-failure lockout', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((u) => ({ ...attackConfig(u), rateLimit: { perAgent: { rate: 1000, burst: 1000 }, perAddress: { rate: 1000, burst: 1000 }, authFailures: { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 60 } } }));
  });
  after(() => h.close());

  it('after maxFailures bad credentials the address is locked out, even with a valid key; each attempt is audited', async () => {
    const { key } = await h.agentWithKey('victim', { labels: ['reader'] });
    const bad = 'gth_' + 'A'.repeat(49);
    const reasons: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const before = await snapshot(h);
      const rec = await assertRejected(h, before, fromResponse(await h.request('/api/x', { headers: { authorization: `Bearer ${bad}` } })), { status: 401, reason: 'credential_malformed' });
      reasons.push(rec.reasons);
    }
    assert.ok(reasons[2]!.includes('address_locked_out'), 'the attempt that trips the lockout says so');
    const before = await snapshot(h);
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${key}` } });
    await assertRejected(h, before, fromResponse(res), { status: 429, reason: 'address_locked_out' });
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

});

describe('missing credentials and the lockout', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((u) => ({ ...attackConfig(u), rateLimit: { perAgent: { rate: 1000, burst: 1000 }, perAddress: { rate: 1000, burst: 1000 }, authFailures: { maxFailures: 3, windowSeconds: 60, lockoutSeconds: 60 } } }));
  });
  after(() => h.close());

  it('requests without any credential are refused and audited, but guess nothing and do not lock the address out', async () => {
    const { key } = await h.agentWithKey('bystander', { labels: ['reader'] });
    for (let i = 0; i < 10; i++) {
      const before = await snapshot(h);
      await assertRejected(h, before, fromResponse(await h.request('/api/x')), { status: 401, reason: 'credential_missing' });
    }
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${key}` } })).status, 200);
  });
});

describe('per-agent limits and agent names that are also object properties', () => {
  let h: Harness;
  before(async () => {
    // An override for another agent makes `rateLimit.agents` non-empty: the lookup by name must not
    // find `constructor` on the object's prototype and treat a function as a bucket.
    h = await startHarness((u) => ({ ...attackConfig(u), rateLimit: { perAgent: { rate: 0.001, burst: 2 }, agents: { other: { rate: 1000, burst: 1000 } }, perAddress: { rate: 1000, burst: 1000 } } }));
  });
  after(() => h.close());

  for (const name of ['constructor', 'hasownproperty', 'valueof']) {
    it(`an agent named "${name}" gets the default bucket: its burst, then 429`, async () => {
      const { key } = await h.agentWithKey(name, { labels: ['reader'] });
      const headers = { authorization: `Bearer ${key}` };
      for (let i = 0; i < 2; i++) assert.equal((await h.request('/api/x', { headers })).status, 200);
      const before = await snapshot(h);
      const res = await h.request('/api/x', { headers });
      await assertRejected(h, before, fromResponse(res), { status: 429, reason: 'rate_limited' });
      assert.match(res.headers.get('ratelimit-policy') ?? '', /q=2/);
    });
  }
});
