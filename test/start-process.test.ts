import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startRecordingUpstream } from './helpers/recording-upstream.ts';

// `gatehouse start` as an operator runs it: a separate process, configured by a file, reloaded by
// SIGHUP, stopped by SIGTERM with nothing lost.
const node = process.execPath;
const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

/** Waits (bounded) until `probe` returns something; the bound only stops a hung test. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gatehouse start (a real process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-process-'));
  const configFile = join(dir, 'gatehouse.yaml');
  let upstream: Awaited<ReturnType<typeof startRecordingUpstream>>;
  let child: ChildProcess;
  let output = '';
  let dataUrl = '';
  let adminUrl = '';
  let adminToken = '';
  const config = (extraRules: object[] = []) => ({
    server: { listen: { port: 0 } }, admin: { listen: { port: 0 } },
    store: { url: `sqlite:${join(dir, 'gh.db')}` }, secrets: { serverSecretFile: join(dir, 'server.secret') },
    log: { level: 'info', pretty: 'never' },
    routes: [{ id: 'api', path: '/api/*', upstream: upstream.url }],
    policies: { rules: [{ id: 'read', agents: { labels: ['reader'] }, methods: ['GET'], paths: ['/api/*'] }, ...extraRules] },
  });

  before(async () => {
    upstream = await startRecordingUpstream();
    writeFileSync(configFile, stringify(config()));
    child = spawn(node, ['--disable-warning=ExperimentalWarning', cli, '--config', configFile, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const listening = await until('the listening log line', () => output.split('\n').map((l) => l.trim()).find((l) => l.includes('"Gatehouse is listening"')));
    ({ data: dataUrl, admin: adminUrl } = JSON.parse(listening) as { data: string; admin: string });
    adminToken = (await until('the admin token', () => /Admin token \(shown once; store it now\): (gta_\S+)/.exec(output)?.[1]));
  });
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves, reloads on SIGHUP, keeps the running config when the new one is invalid, and stops cleanly', async () => {
    const admin = (path: string, body?: object) =>
      fetch(`${adminUrl}${path}`, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    assert.equal((await admin('/v1/agents', { name: 'proc-reader', labels: ['reader'] })).status, 201);
    const issued = (await (await admin('/v1/agents/proc-reader/keys', {})).json()) as { key: string };
    const auth = { authorization: `Bearer ${issued.key}` };
    let sent = 0;
    const data = (path: string, init?: RequestInit) => ((sent += 1), fetch(`${dataUrl}${path}`, init));
    assert.equal((await data('/api/x', { headers: auth })).status, 200);
    assert.equal((await data('/api/x', { method: 'POST', headers: auth, body: 'x' })).status, 403);

    writeFileSync(configFile, stringify(config([{ id: 'write', agents: { labels: ['reader'] }, methods: ['POST'], paths: ['/api/*'] }])));
    child.kill('SIGHUP');
    await until('the reloaded policy', async () => ((await data('/api/x', { method: 'POST', headers: auth, body: 'x' })).status === 200 ? true : undefined));

    writeFileSync(configFile, 'routes: [ { id: "BAD ID" } ]\n');
    child.kill('SIGHUP');
    await until('the rejection log line', () => (output.includes('config reload rejected') ? true : undefined));
    assert.equal((await data('/api/x', { method: 'POST', headers: auth, body: 'x' })).status, 200, 'the running config stays');

    // Saving the file is enough too (watched, debounced): back to read-only.
    writeFileSync(configFile, stringify(config()));
    await until('the file-change reload', async () => ((await data('/api/x', { method: 'POST', headers: auth, body: 'x' })).status === 403 ? true : undefined));

    child.kill('SIGTERM');
    const code = await until('exit', () => child.exitCode ?? undefined);
    assert.equal(code, 0);

    // Every request was audited and the chain is intact after the shutdown flush.
    const verify = spawn(node, ['--disable-warning=ExperimentalWarning', cli, '--config', configFile, 'audit', 'verify', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    verify.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const vcode = await new Promise<number>((r) => verify.on('exit', (c) => r(c ?? -1)));
    assert.equal(vcode, 0, out);
    const report = JSON.parse(out) as { ok: boolean; count: number };
    assert.equal(report.ok, true);
    const tail = spawn(node, ['--disable-warning=ExperimentalWarning', cli, '--config', configFile, 'audit', 'tail', '--json', '--limit', '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let records = '';
    tail.stdout!.on('data', (c: Buffer) => (records += c.toString()));
    await new Promise((r) => tail.on('exit', r));
    const requests = (JSON.parse(records) as Array<{ kind: string }>).filter((r) => r.kind === 'request');
    assert.equal(requests.length, sent, 'one audit record per data-plane request, none lost at shutdown');
  });
});
