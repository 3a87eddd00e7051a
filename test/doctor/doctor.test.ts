import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stringify } from 'yaml';
import { capture, cliContext } from '../../src/cli/cli-harness.test-helper.ts';
import { runCli } from '../../src/cli/cli.ts';
import { doctor } from '../../src/cli/commands/doctor.ts';
import { closeAll, closeLast, failures, fakeServer, gateway, has, removeLater, runDoctor, sensible, variant, type Line } from './doctor-fixture.ts';

// `gatehouse doctor` against real gateways on 127.0.0.1 over real SQLite files: a sensible
// deployment passes; each targeted misconfiguration fails with the line that names it.

after(closeAll);

describe('gatehouse doctor on a sensible deployment', () => {
  it('passes: every line PASS or WARN, exit 0, and the layers it names are verified', async () => {
    const h = await gateway();
    const token = h.gw.newAdminToken!; // shown once, at the first start
    const { code, lines } = await runDoctor(h, ['--admin-token-env', 'OPS_ADMIN_TOKEN'], {}, h.configFile, { OPS_ADMIN_TOKEN: token });
    assert.deepEqual(failures(lines), []);
    assert.equal(code, 0);
    assert.ok(!JSON.stringify(lines).includes(token), 'the admin token is never printed');
    for (const expected of [
      /^data plane bound to 127\.0\.0\.1:0 \(loopback/,
      /^data plane does not answer on other addresses \(127\.0\.0\.2/,
      /^data plane refused an unauthenticated request to strict route "api" \(GET \/api\/gatehouse-doctor-probe → 401\)$/,
      /^admin API refused a request without a token/,
      /^admin API refused a request with a wrong token/,
      /^admin API accepted the token from OPS_ADMIN_TOKEN$/,
      /^audit chain intact \(\d+ records, head seal verified\)$/,
      /^store file .*gatehouse\.db.* is mode 0600$/,
      /^master key file .* is mode 0600$/,
      /^no demo agent/,
      /^the master key decrypts the active signing key$/,
      /^lockout after 10 failed authentications/,
    ]) assert.ok(has(lines, 'pass', expected), `no PASS line matching ${expected}`);
    // The public route is reported, not failed.
    assert.ok(has(lines, 'warn', /^route "health" is public by choice$/));
    // The probe was refused before reaching the upstream.
    assert.equal(h.upstream.seen.filter((r) => r.url.includes('gatehouse-doctor-probe')).length, 0);
  });

  it('prints the article-style text report through the CLI, and never creates or changes a file', async () => {
    const h = await gateway();
    const before = readdirSync(h.dir).sort();
    const out = capture();
    const code = await runCli(['doctor', '--config', h.configFile, '--probe-data', h.gw.dataUrl, '--probe-admin', h.gw.adminUrl], out, { env: {}, cwd: h.dir });
    assert.equal(code, 0, out.text.err);
    assert.match(out.text.out, /^PASS {2}data plane bound to 127\.0\.0\.1:0 \(loopback; port chosen at start\)$/m);
    assert.match(out.text.out, /^WARN {2}route "health" is public by choice$/m);
    assert.match(out.text.out, /^\d+ passed, 1 warnings, 0 failed$/m);
    assert.ok(!out.text.out.includes('\x1b['), 'not a TTY: no colour');
    assert.deepEqual(readdirSync(h.dir).sort(), before);
  });

  it('usage mistakes exit 2: the global --admin-url (use --probe-admin), an unset --admin-token-env, a bad probe URL', async () => {
    for (const [args, pattern] of [
      [['doctor', '--admin-url', 'http://127.0.0.1:1'], /--probe-admin URL/],
      [['doctor', '--admin-token-env', 'NOT_SET_ANYWHERE'], /NOT_SET_ANYWHERE is not set/],
      [['doctor', '--probe-data', 'ftp://x'], /--probe-data must be an http/],
    ] as const) {
      const out = capture();
      assert.equal(await runCli(args, out, { env: {} }), 2);
      assert.match(out.text.err, pattern);
    }
  });
});

describe('targeted misconfigurations make doctor fail with the right line', () => {
  it('insecurePublic on a non-loopback bind (judged from the config alone)', async () => {
    const h = await gateway();
    const file = variant(h, 'public.yaml', { server: { listen: { host: '0.0.0.0', port: 8080, insecurePublic: true } } });
    const { code, lines } = await runDoctor(h, ['--no-probe'], {}, file);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['data plane bound to 0.0.0.0:8080 without TLS (insecure-public override)']);
  });

  it('the store file readable by others', async () => {
    const h = await gateway();
    const db = join(h.dir, 'gatehouse.db');
    chmodSync(db, 0o644);
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), [`store file ${db} is mode 0644 (readable by group/others)`]);
  });

  it('the master key file readable by others', async () => {
    const h = await gateway();
    const keyFile = join(h.dir, '.gatehouse', 'master.key');
    chmodSync(keyFile, 0o644);
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), [`master key file ${keyFile} is mode 0644 (readable by group/others)`]);
  });

  it('a tampered audit record', async () => {
    const h = await gateway();
    const db = new DatabaseSync(join(h.dir, 'gatehouse.db'));
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare("UPDATE audit_log SET path = '/api/innocent' WHERE seq = 2").run();
    db.close();
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines).map((m) => m.replace(/\d+ records read/, 'N records read')), ['audit chain broken: record #2 edited (N records read)']);
  });

  it('the demo agent with a live key', async () => {
    const h = await gateway();
    await h.agentWithKey('demo-reader', { labels: ['reader'] });
    const { code, lines } = await runDoctor(h);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['demo credentials left: agent "demo-reader" (active) has 1 live API key']);
  });

  it('an "admin" listener that answers without a token', async () => {
    const h = await gateway();
    const fake = await fakeServer(200);
    const { code, lines } = await runDoctor(h, ['--probe-admin', fake]);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['admin API answered 200 without a token', 'admin API answered 200 with a wrong token']);
  });

  it('a "data plane" that serves a strict route without a credential', async () => {
    const h = await gateway();
    const fake = await fakeServer(200);
    const { code, lines } = await runDoctor(h, ['--probe-data', fake]);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), ['data plane answered 200 without a credential on strict route "api" (GET /api/gatehouse-doctor-probe)']);
  });

  it('nothing listening where the admin API should be', async () => {
    const h = await gateway();
    const gone = await fakeServer(401);
    await closeLast(); // closed again: the port is free
    const { code, lines } = await runDoctor(h, ['--probe-admin', gone]);
    assert.equal(code, 1);
    assert.deepEqual(failures(lines), [`nothing is listening at ${gone} (admin API)`]);
    assert.ok(has(lines, 'warn', /^admin API could not be reached/));
  });

  it('a signing key older than the rotation period is a warning (rotation not running), not a failure', async () => {
    const h = await gateway();
    const later = Date.now() + 30 * 3_600_000; // the doctor's clock: 30 h on, past 24 h + margin
    const { code, lines } = await runDoctor(h, [], { clock: { now: () => later } });
    assert.equal(code, 0);
    assert.ok(has(lines, 'warn', /^active signing key \S+ is 1d 6h old, older than the rotation period \(1d\): is rotation running\?$/));
  });

  it('a missing server secret is a FAIL, and the doctor does not create it (nor anything else)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-doctor-empty-'));
    removeLater(dir);
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(file, stringify(sensible()('http://127.0.0.1:9')), { mode: 0o600 });
    const out = capture();
    const code = await doctor(cliContext(dir, file), ['--json', '--no-probe'], out);
    assert.equal(code, 1);
    const lines = (JSON.parse(out.text.out) as { checks: Line[] }).checks;
    assert.deepEqual(failures(lines), [
      `master key missing: ${join(dir, '.gatehouse', 'master.key')} does not exist and GATEHOUSE_MASTER_KEY is not set`,
      `server secret missing: ${join(dir, '.gatehouse', 'server.secret')} does not exist and GATEHOUSE_SERVER_SECRET is not set`,
      `store file ${join(dir, '.gatehouse', 'gatehouse.db')} does not exist`,
    ]);
    assert.deepEqual(readdirSync(dir), ['gatehouse.yaml']);
  });
});
