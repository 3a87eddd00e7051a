import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDemo, demoKey } from '../src/app/start-command.ts';
import { demoInstructions } from '../src/app/demo-config.ts';
import { openLocal, type LocalCore } from '../src/app/open-local.ts';
import { startGateway, type RunningGateway } from '../src/app/gateway-runtime.ts';
import { silentLogger } from '../src/obs/logger.ts';
import type { DemoUpstream } from '../src/demo/demo-upstream.ts';

// What `npm start` without a config promises in the README: 401, 200, 403, 429 — on the same
// configuration the demo runs with (only the ports are free ones here).
describe('the npm start demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-demo-'));
  let demo: DemoUpstream;
  let core: LocalCore;
  let gw: RunningGateway;
  let key: string;
  before(async () => {
    let loaded;
    ({ demo, loaded } = await prepareDemo(dir, { server: { listen: { port: 0 } }, admin: { listen: { port: 0 } }, log: { level: 'silent' } }));
    core = await openLocal(loaded, { env: {} });
    gw = await startGateway(core, { logger: silentLogger() });
    key = await demoKey(core);
  });
  after(async () => {
    await gw.close();
    await core.close();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the embedded store with owner-only files, and prints the key once with the curl lines', () => {
    assert.equal(core.store.kind, 'sqlite');
    assert.equal(statSync(join(dir, '.gatehouse', 'gatehouse.db')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, '.gatehouse', 'server.secret')).mode & 0o777, 0o600);
    const text = demoInstructions(gw.dataUrl, key);
    assert.ok(text.includes(key));
    assert.match(text, /401/);
    assert.match(text, /403/);
    assert.match(text, /429/);
  });

  it('401 without a key, 200 with it, 403 for a write, 429 after the burst', async () => {
    const auth = { authorization: `Bearer ${key}` };
    assert.equal((await fetch(`${gw.dataUrl}/api/agents`)).status, 401);
    const ok = await fetch(`${gw.dataUrl}/api/agents`, { headers: auth });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(await ok.json()));
    const post = await fetch(`${gw.dataUrl}/api/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"agent":"alpha","title":"x"}' });
    assert.equal(post.status, 403);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await fetch(`${gw.dataUrl}/api/agents`, { headers: auth })).status);
    assert.ok(statuses.includes(429), statuses.join(' '));
    const limited = await fetch(`${gw.dataUrl}/api/agents`, { headers: auth });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('a second demo start issues a new key and revokes the previous one', async () => {
    const next = await demoKey(core);
    assert.notEqual(next, key);
    assert.equal((await fetch(`${gw.dataUrl}/api/agents`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
  });
});
