import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startVulnerableApi, type VulnerableApi } from '../fixtures/vulnerable-api.ts';
import { startHarness } from '../helpers/gateway-harness.ts';
import { closeAll, failures, has, runDoctor, track } from './doctor-fixture.ts';

// The scenario: the deliberately vulnerable agent API behind Gatehouse with a sensible
// config passes the doctor; the same API reached around the gateway fails it.

after(closeAll);

describe('doctor and the vulnerable fixture API', () => {
  it('behind Gatehouse it passes; probed directly, its unauthenticated /api/agents fails', async () => {
    const api: VulnerableApi = await startVulnerableApi({ host: '127.0.0.1' });
    track(api);
    const h = await startHarness(() => ({
      routes: [
        { id: 'agents', path: '/api/agents', upstream: api.url },
        { id: 'api', path: '/api/*', upstream: api.url },
      ],
      policies: { rules: [{ id: 'readers-read', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/api/*'] }] },
    }));
    track(h);
    const { key } = await h.agentWithKey('reader-bot', { labels: ['reader'] });
    assert.equal((await h.request('/api/agents', { headers: { authorization: `Bearer ${key}` } })).status, 200);
    await h.requestAudit();

    const behind = await runDoctor(h);
    assert.deepEqual(failures(behind.lines), []);
    assert.equal(behind.code, 0);
    assert.ok(has(behind.lines, 'pass', /^data plane refused an unauthenticated request to strict route "agents" \(GET \/api\/agents → 401\)$/));

    const around = await runDoctor(h, ['--probe-data', api.url]);
    assert.equal(around.code, 1);
    assert.deepEqual(failures(around.lines), ['data plane answered 200 without a credential on strict route "agents" (GET /api/agents)']);
  });
});
