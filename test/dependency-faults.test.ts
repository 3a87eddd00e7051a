import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, startHarness, type Harness } from './helpers/gateway-harness.ts';

// A dependency of the gateway failing must refuse requests (503), never let them through unchecked.
describe('dependencies failing: fail closed', () => {
  let h: Harness;
  before(async () => {
    // Nothing listens on port 1: every rate-limit call fails.
    h = await startHarness((u) => ({ ...defaultConfig(u), redis: { url: 'redis://127.0.0.1:1' } }));
  });
  after(() => h.close());

  it('rate-limit store unreachable → 503, upstream sees nothing, one audit record with the reason', async () => {
    const { key } = await h.agentWithKey('reader-x', { labels: ['reader'] });
    const before = h.upstream.seen.length;
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { code: string }).code, 'rate_limit_unavailable');
    assert.equal(h.upstream.seen.length, before);
    const recs = (await h.requestAudit()).filter((r) => r.requestId === res.headers.get('x-gatehouse-request-id'));
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.decision, 'error');
    assert.ok(recs[0]!.reasons.includes('dependency_unavailable'));
  });
});
