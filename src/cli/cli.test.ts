import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAdminOps } from '../admin/local-admin-ops.ts';
import { openTempCore, type TempCore } from '../admin/admin-fixture.test-helper.ts';
import { loadPolicyEngine } from '../app/load-policy.ts';
import { loadConfig } from '../config/load-config.ts';
import { UsageError } from './command.ts';
import { agentsCreate, agentsList, agentsShow, agentsSuspend } from './commands/agents.ts';
import { auditTail } from './commands/audit.ts';
import { initCommand } from './commands/init.ts';
import { keysIssue, keysList, keysRevoke } from './commands/keys.ts';
import { policyCheck, policyExplain } from './commands/policy.ts';
import { capture, cliContext } from './cli-harness.test-helper.ts';

let tc: TempCore;
let ops: LocalAdminOps;
before(async () => {
  tc = await openTempCore();
  ops = new LocalAdminOps(tc.core, 'cli:test');
});
after(() => tc.cleanup());

describe('agents', () => {
  test('create, then list --json prints exactly one JSON document', async () => {
    const c = capture();
    assert.equal(await agentsCreate(ops, ['ci-bot', '--label', 'reader', '--label', 'ci', '--scope', 'read', '--owner', 'team-a'], c), 0);
    assert.match(c.text.out, /Created agent ci-bot/);
    const l = capture();
    assert.equal(await agentsList(ops, ['--json'], l), 0);
    const agents = JSON.parse(l.text.out) as { name: string; labels: string[]; owner: string }[];
    assert.deepEqual(agents.map((a) => [a.name, a.labels, a.owner]), [['ci-bot', ['ci', 'reader'], 'team-a']]);
    const table = capture();
    await agentsList(ops, [], table);
    assert.match(table.text.out, /^NAME +STATUS +ID/);
    assert.match(table.text.out, /\nci-bot +active +agt_/);
  });

  test('usage mistakes throw UsageError; --help prints usage and succeeds', async () => {
    await assert.rejects(agentsCreate(ops, [], capture()), UsageError);
    await assert.rejects(agentsCreate(ops, ['a', 'b'], capture()), UsageError);
    await assert.rejects(agentsCreate(ops, ['a', '--colour', 'red'], capture()), UsageError);
    const h = capture();
    assert.equal(await agentsCreate(ops, ['--help'], h), 0);
    assert.match(h.text.out, /^Usage: gatehouse agents create NAME/);
  });

  test('suspend and show; service errors surface with their code', async () => {
    await agentsCreate(ops, ['sus-bot'], capture());
    const s = capture();
    await agentsSuspend(ops, ['sus-bot'], s);
    assert.equal(s.text.out, 'Agent sus-bot is suspended.\n');
    const show = capture();
    await agentsShow(ops, ['sus-bot', '--json'], show);
    assert.equal(JSON.parse(show.text.out).status, 'suspended');
    await assert.rejects(agentsCreate(ops, ['sus-bot'], capture()), { code: 'agent_exists' });
    await assert.rejects(agentsShow(ops, ['ghost'], capture()), { code: 'agent_not_found' });
  });

  test('terminal control characters in stored values are neutralised in tables', async () => {
    await agentsCreate(ops, ['esc-bot', '--description', 'x\u001b]0;pwned\u0007'], capture());
    const show = capture();
    await agentsShow(ops, ['esc-bot'], show);
    assert.ok(!show.text.out.includes('\u001b') && !show.text.out.includes('\u0007'), 'no ESC or BEL reaches the terminal');
    assert.match(show.text.out, /x\?\]0;pwned\?/);
  });
});

describe('keys', () => {
  test('issue prints the key once on stdout with a warning on stderr; list never shows it', async () => {
    await agentsCreate(ops, ['key-bot', '--scope', 'a', '--scope', 'b'], capture());
    const c = capture();
    assert.equal(await keysIssue(ops, ['key-bot', '--scope', 'a', '--ttl-days', '3'], c), 0);
    assert.match(c.text.out, /^gth_[0-9A-Za-z]{49}\n$/);
    assert.match(c.text.err, /will not be shown again/);
    const key = c.text.out.trim();
    for (const args of [[], ['--json'], ['--agent', 'key-bot']]) {
      const l = capture();
      await keysList(ops, args, l);
      assert.ok(!l.text.out.includes(key) && !l.text.out.includes(key.slice(8)), `keys list ${args.join(' ')}`);
      assert.match(l.text.out, /key_/);
    }
    await assert.rejects(keysIssue(ops, ['key-bot', '--ttl-days', 'soon'], capture()), /--ttl-days must be a whole number/);
    const id = (await ops.listKeys('key-bot'))[0]!.id;
    const r = capture();
    await keysRevoke(ops, [id], r);
    assert.match(r.text.out, new RegExp(`Key ${id} is revoked`));
  });
});

describe('policy', () => {
  test('explain shows the decision, reasons and the deciding Cedar', async () => {
    await agentsCreate(ops, ['reader-bot', '--label', 'reader'], capture());
    const c = capture();
    assert.equal(await policyExplain(ops, ['reader-bot', 'get', '/api//invoices'], c), 0);
    assert.match(c.text.out, /^ALLOW {2}GET \/api\/invoices\n/);
    assert.match(c.text.out, /policy_permit,policy:readers-can-read/);
    assert.match(c.text.out, /@id\("readers-can-read"\)/);
    const d = capture();
    await policyExplain(ops, ['reader-bot', 'DELETE', '/api/x'], d);
    assert.match(d.text.out, /^DENY .*\n[\s\S]*No policy permits this request/);
  });

  test('check needs no database: OK for a valid config, 1 with the offending path otherwise', async () => {
    const ok = capture();
    assert.equal(await policyCheck(cliContext(tc.dir, tc.configFile), [], ok), 0);
    assert.match(ok.text.out, /^OK: .*1 route\(s\), 1 policy/);
    const nodb = join(tc.dir, 'no-db.yaml');
    writeFileSync(nodb, `store:\n  url: sqlite:${join(tc.dir, 'never', 'gh.db')}\nsecrets:\n  serverSecretFile: ${join(tc.dir, 'never', 'secret')}\n`);
    assert.equal(await policyCheck(cliContext(tc.dir, nodb), [], capture()), 0);
    assert.equal(existsSync(join(tc.dir, 'never')), false, 'neither the store nor the secret was created');
    const bad = join(tc.dir, 'bad-policy.yaml');
    writeFileSync(bad, 'policies:\n  rules:\n    - id: r\n      methods: [GET]\n      paths: [/x]\n      routes: [missing]\n');
    const c = capture();
    assert.equal(await policyCheck(cliContext(tc.dir, bad), ['--json'], c), 1);
    const report = JSON.parse(c.text.out);
    assert.equal(report.ok, false);
    assert.match(report.errors.join('\n'), /policies\.rules\[0\]\.routes\[0\]: unknown route id "missing"/);
  });
});

describe('init', () => {
  test('writes a commented starter config that loads, refuses to overwrite, --force replaces', async () => {
    const file = join(tc.dir, 'fresh.yaml');
    const c = capture();
    assert.equal(await initCommand(cliContext(tc.dir), ['fresh.yaml'], c), 0);
    const text = readFileSync(file, 'utf8');
    assert.ok((text.match(/^#/gm) ?? []).length >= 10, 'commented');
    const loaded = loadConfig({ file, env: {} });
    assert.equal(loaded.config.routes[0]?.id, 'api');
    assert.ok(loaded.config.policies.rules.length >= 2);
    assert.ok(loadPolicyEngine(loaded.config, loaded.baseDir).policyIds.length >= 2, 'the example policies compile');
    writeFileSync(file, 'mine: true\n');
    const again = capture();
    assert.equal(await initCommand(cliContext(tc.dir, file), [], again), 1);
    assert.match(again.text.err, /already exists/);
    assert.equal(readFileSync(file, 'utf8'), 'mine: true\n');
    assert.equal(await initCommand(cliContext(tc.dir, file), ['--force'], capture()), 0);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});

describe('audit tail', () => {
  test('prints the newest N oldest-first, then follows new records until aborted', async () => {
    await agentsCreate(ops, ['tail-a'], capture());
    await agentsCreate(ops, ['tail-b'], capture());
    const abort = new AbortController();
    let polls = 0;
    const sleep = async () => {
      polls += 1;
      if (polls === 1) await agentsCreate(ops, ['tail-c'], capture());
      if (polls === 3) abort.abort();
    };
    const c = capture();
    assert.equal(await auditTail(ops, ['--limit', '2', '-f'], c, { signal: abort.signal, sleep }), 0);
    const lines = c.text.out.trimEnd().split('\n');
    assert.equal(lines.length, 3, c.text.out);
    assert.deepEqual(lines.map((l) => /agent=(\S+)/.exec(l)?.[1]), ['tail-a', 'tail-b', 'tail-c']);
    const seqs = lines.map((l) => Number(/^#(\d+)/.exec(l)?.[1]));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const json = capture();
    await auditTail(ops, ['--json', '--limit', '1', '--agent', 'tail-a'], json);
    assert.deepEqual(JSON.parse(json.text.out).map((r: { action: string }) => r.action), ['agent.create']);
    await assert.rejects(auditTail(ops, ['--decision', 'maybe'], capture()), UsageError);
  });
});
