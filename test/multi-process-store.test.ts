import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startHarness, type Harness } from './helpers/gateway-harness.ts';

const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], { env: { ...process.env, GATEHOUSE_SERVER_SECRET: '' } }, (err, stdout) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }));
  });

// The running gateway (request thread + audit writer thread) and CLI processes share one SQLite
// file. A CLI process that opens and closes the database must never make the gateway's later
// commits invisible (SQLite WAL files are shared state guarded by POSIX locks).
describe('SQLite shared by the gateway and CLI processes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('records the gateway writes after a CLI process has come and gone are seen by the next process', async () => {
    const { key } = await h.agentWithKey('mp-reader', { labels: ['reader'] });
    const auth = { headers: { authorization: `Bearer ${key}` } };
    for (let i = 0; i < 3; i++) assert.equal((await h.request('/api/x', auth)).status, 200);
    await h.gw.audit.flush();
    assert.equal((await run(['--config', h.configFile, 'agents', 'list'])).code, 0);
    for (let i = 0; i < 3; i++) assert.equal((await h.request('/api/y', auth)).status, 200);
    await h.gw.audit.flush();
    const tail = await run(['--config', h.configFile, 'audit', 'tail', '--json', '--limit', '100']);
    assert.equal(tail.code, 0);
    const paths = (JSON.parse(tail.stdout) as Array<{ kind: string; path: string }>).filter((r) => r.kind === 'request').map((r) => r.path);
    assert.deepEqual(paths, ['/api/x', '/api/x', '/api/x', '/api/y', '/api/y', '/api/y']);
    const verify = await run(['--config', h.configFile, 'audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout);
  });
});
