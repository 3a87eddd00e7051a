import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { RemoteAdminOps } from '../admin/remote-admin-ops.ts';
import { useAdminServer } from '../admin/admin-fixture.test-helper.ts';
import { capture, spawnCli } from './cli-harness.test-helper.ts';
import { runCli } from './cli.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const fx = useAdminServer();

describe('runCli (in process)', () => {
  test('usage errors exit 2 with one line on stderr; --help exits 0', async () => {
    for (const argv of [['bogus'], ['agents', 'explode'], ['agents', 'create'], ['keys', 'issue', 'x', '--ttl-days', '0'], ['agents', 'list', '--config']]) {
      const c = capture();
      assert.equal(await runCli(argv, c, { cwd: fx.tc.dir, env: {} }), 2, argv.join(' '));
      assert.equal(c.text.err.trimEnd().split('\n').length, 1, c.text.err);
      assert.equal(c.text.out, '');
    }
    const h = capture();
    assert.equal(await runCli(['keys', '--help'], h, { cwd: fx.tc.dir, env: {} }), 0);
    assert.match(h.text.out, /issue +issue an API key/);
  });

  test('admin-token reset works locally, and is refused with --admin-url', async () => {
    const c = capture();
    assert.equal(await runCli(['admin-token', 'reset', '--config', fx.tc.configFile], c, { cwd: fx.tc.dir, env: {} }), 0);
    const token = c.text.out.trim();
    assert.match(token, /^gta_/);
    const refused = capture();
    assert.equal(await runCli(['admin-token', 'reset', '--admin-url', fx.srv.url], refused, { cwd: fx.tc.dir, env: { GATEHOUSE_ADMIN_TOKEN: token } }), 2);
    fx.srv.token = token; // the fixture's token no longer works; the rest of this file uses the new one
  });

  test('remote mode: commands run against the admin API; problems keep their code and status', async () => {
    const env = { GATEHOUSE_ADMIN_TOKEN: fx.srv.token };
    const c = capture();
    assert.equal(await runCli(['agents', 'create', 'remote-bot', '--label', 'reader', '--admin-url', fx.srv.url], c, { cwd: fx.tc.dir, env }), 0, c.text.err);
    assert.equal((await fx.tc.core.agents.get('remote-bot')).owner, 'admin-api', 'created through the API, not the local store');
    const dup = capture();
    assert.equal(await runCli(['agents', 'create', 'remote-bot'], dup, { cwd: fx.tc.dir, env: { ...env, GATEHOUSE_ADMIN_URL: fx.srv.url } }), 1);
    assert.match(dup.text.err, /already exists \[agent_exists\]/);
    const ops = new RemoteAdminOps({ url: fx.srv.url, token: fx.srv.token });
    await assert.rejects(ops.getAgent('nobody'), { name: 'GatehouseError', code: 'agent_not_found', status: 404 });
    assert.equal((await ops.explain('remote-bot', 'GET', '/api/x')).decision, 'allow');
    const issued = await ops.issueKey('remote-bot', { ttlDays: 1 });
    assert.equal((await fx.tc.core.keys.authenticate(issued.key)).ok, true);
    assert.equal((await ops.queryAudit({ agent: 'remote-bot', limit: 10, order: 'asc' })).length, 2);
    const bad = new RemoteAdminOps({ url: fx.srv.url, token: `gta_${'x'.repeat(43)}` });
    await assert.rejects(bad.listAgents(), { code: 'admin_token_required', status: 401 });
    const down = new RemoteAdminOps({ url: 'http://127.0.0.1:1', token: fx.srv.token });
    await assert.rejects(down.listAgents(), { code: 'admin_unreachable' });
  });
});

describe('spawned CLI', () => {
  test('unknown command → 2', async () => {
    const r = await spawnCli(['frobnicate'], { cwd: fx.tc.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });

  test('bad config → 2 naming the field path', async () => {
    const bad = join(fx.tc.dir, 'bad.yaml');
    writeFileSync(bad, 'routes:\n  - id: api\n    path: /api/*\n    upstream: ftp://example.com\n');
    const r = await spawnCli(['agents', 'list', '--config', bad], { cwd: fx.tc.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /routes\[0\]\.upstream/);
    assert.doesNotMatch(r.stderr, /ExperimentalWarning|\n +at /);
  });

  test('start on a port already in use → 2 naming the field, and the process exits', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const cfg = join(fx.tc.dir, 'busy.yaml');
      writeFileSync(cfg, `server:\n  listen:\n    port: ${port}\nadmin:\n  listen:\n    port: 0\nstore:\n  url: sqlite:${join(fx.tc.dir, 'busy.db')}\nsecrets:\n  serverSecretFile: ${join(fx.tc.dir, 'busy.secret')}\nlog:\n  level: silent\n`);
      const r = await spawnCli(['start', '--config', cfg], { cwd: fx.tc.dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /server\.listen\.port: 127\.0\.0\.1:\d+ is already in use/);
    } finally {
      blocker.close();
    }
  });

  test('remote agents list --json prints one JSON document', async () => {
    const r = await spawnCli(['agents', 'list', '--json'], { cwd: fx.tc.dir, env: { GATEHOUSE_ADMIN_URL: fx.srv.url, GATEHOUSE_ADMIN_TOKEN: fx.srv.token } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { name: string }[]).some((a) => a.name === 'remote-bot'));
  });

  test('audit verify: 0 on an intact log, 1 naming the records after tampering', async () => {
    const ok = await spawnCli(['audit', 'verify', '--config', fx.tc.configFile], { cwd: fx.tc.dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: \d+ audit record\(s\), hash chain intact/);
    const db = new DatabaseSync(join(fx.tc.dir, 'gh.db'));
    try {
      db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run();
      db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    } finally {
      db.close();
    }
    const r = await spawnCli(['audit', 'verify', '--config', fx.tc.configFile], { cwd: fx.tc.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^FAILED: /);
    assert.match(r.stdout, /#2 +edited/);
    assert.match(r.stdout, /#3 +missing/);
  });
});
