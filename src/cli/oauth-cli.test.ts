import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { exportJWK, generateKeyPair } from 'jose';
import { LocalAdminOps } from '../admin/local-admin-ops.ts';
import { openTempCore, type TempCore } from '../admin/admin-fixture.test-helper.ts';
import type { AdminOps } from '../admin/admin-ops.ts';
import type { WithOps } from './command.ts';
import { UsageError } from './command.ts';
import { agentsCreate, agentsShow } from './commands/agents.ts';
import { agentsAddKey, agentsAuthMethods, agentsKeys, agentsRemoveKey } from './commands/agent-keys.ts';
import { clientSecretsIssue, clientSecretsList, clientSecretsRevoke, clientSecretsRotate } from './commands/client-secrets.ts';
import { issuersAdd, issuersList, issuersRemove, issuersShow } from './commands/issuers.ts';
import { keysRotateSigning, keysSigning } from './commands/signing-keys.ts';
import { tokenInspect } from './commands/token-inspect.ts';
import { tokenRevoke } from './commands/token.ts';
import { capture, cliContext } from './cli-harness.test-helper.ts';
import { runCli } from './cli.ts';

const API = 'https://api.test/';
let tc: TempCore;
let ops: AdminOps;
let withOps: WithOps;
before(async () => {
  tc = await openTempCore();
  ops = new LocalAdminOps(tc.core, 'cli:test');
  withOps = (fn) => fn(ops);
});
after(() => tc.cleanup());

const ctx = () => cliContext(tc.dir, tc.configFile);
const spiffe = (name: string): string => `spiffe://gatehouse.local/agent/${name}`;

async function publicJwk(opts: { withPrivate?: boolean } = {}): Promise<Record<string, unknown>> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(opts.withPrivate ? privateKey : publicKey)), alg: 'ES256' };
}

describe('dispatch', () => {
  test('a group with a default command still reaches its named ones; prototype names are unknown', async () => {
    const h = capture();
    assert.equal(await runCli(['token', '--help'], h, { cwd: tc.dir, env: {} }), 0);
    assert.match(h.text.out, /^Usage: gatehouse token --url URL --client NAME[\s\S]*gatehouse token inspect TOKEN\|-/);
    const i = capture();
    assert.equal(await runCli(['token', 'inspect', '--help'], i, { cwd: tc.dir, env: {} }), 0);
    assert.match(i.text.out, /^Usage: gatehouse token inspect TOKEN\|- \[--jwks URL\]/);
    const u = capture();
    assert.equal(await runCli(['token'], u, { cwd: tc.dir, env: {} }), 2);
    assert.match(u.text.err, /^gatehouse token: --url URL and --client NAME are required/);
    for (const name of ['constructor', '__proto__', 'toString']) {
      const c = capture();
      assert.equal(await runCli(['agents', name], c, { cwd: tc.dir, env: {} }), 2, name);
      assert.match(c.text.err, new RegExp(`unknown command "agents ${name}"`));
    }
  });
});

describe('agents: token-endpoint auth methods and public keys', () => {
  test('create --auth-method, show lists them, auth-methods replaces and --none clears', async () => {
    const c = capture();
    assert.equal(await agentsCreate(ops, ['am-bot', '--auth-method', 'client_secret_post', '--auth-method', 'private_key_jwt'], c), 0);
    assert.match(c.text.out, /auth methods: +client_secret_post,private_key_jwt/);
    assert.match(c.text.out, /Next: gatehouse client-secrets issue am-bot/);
    const set = capture();
    assert.equal(await agentsAuthMethods(ops, ['am-bot', 'client_secret_basic'], set), 0);
    assert.equal(set.text.out, 'Agent am-bot may authenticate with: client_secret_basic\n');
    assert.deepEqual((await ops.getAgent('am-bot')).authMethods, ['client_secret_basic']);
    await agentsAuthMethods(ops, ['am-bot', '--none'], capture());
    const show = capture();
    await agentsShow(ops, ['am-bot'], show);
    assert.match(show.text.out, /auth methods: +-\n/);
    await assert.rejects(agentsAuthMethods(ops, ['am-bot'], capture()), UsageError);
    await assert.rejects(agentsAuthMethods(ops, ['am-bot', 'private_key_jwt', '--none'], capture()), UsageError);
    await assert.rejects(agentsAuthMethods(ops, ['am-bot', 'password'], capture()), { code: 'auth_method_invalid' });
    await assert.rejects(agentsCreate(ops, ['bad-am', '--auth-method', 'password'], capture()), { code: 'auth_method_invalid' });
  });

  test('add-key registers a public JWK, keys lists it, remove-key by kid removes it', async () => {
    await agentsCreate(ops, ['jwk-bot'], capture());
    const file = join(tc.dir, 'jwk-bot.pub.jwk');
    writeFileSync(file, JSON.stringify({ ...(await publicJwk()), kid: 'k1' }));
    const c = capture();
    assert.equal(await agentsAddKey(ops, ['jwk-bot', '--jwk', 'jwk-bot.pub.jwk'], c, ctx()), 0);
    assert.match(c.text.out, /^Registered key k1 \(ES256, thumbprint [\w-]{43}\) for agent jwk-bot as akey_/);
    assert.match(c.text.err, /not allowed to use private_key_jwt yet; run: gatehouse agents auth-methods jwk-bot private_key_jwt/);
    const l = capture();
    await agentsKeys(ops, ['jwk-bot'], l);
    assert.match(l.text.out, /^KID +ALG +STATUS/);
    assert.match(l.text.out, /\nk1 +ES256 +active +akey_/);
    const r = capture();
    assert.equal(await agentsRemoveKey(ops, ['jwk-bot', 'k1'], r), 0);
    assert.match(r.text.out, /^Removed key k1 \(akey_[\w-]+\) from agent jwk-bot\.\n$/);
    const json = capture();
    await agentsKeys(ops, ['jwk-bot', '--json'], json);
    assert.notEqual(JSON.parse(json.text.out)[0].revokedAt, null);
    await assert.rejects(agentsRemoveKey(ops, ['jwk-bot', 'k1'], capture()), { code: 'agent_key_not_found' });
  });

  test('add-key refuses a private key before calling the service, and names bad files', async () => {
    await agentsCreate(ops, ['priv-bot'], capture());
    writeFileSync(join(tc.dir, 'private.jwk'), JSON.stringify(await publicJwk({ withPrivate: true })));
    let called = false;
    const spy = { ...ops, addAgentKey: async () => { called = true; throw new Error('must not be called'); } } as unknown as AdminOps;
    await assert.rejects(agentsAddKey(spy, ['priv-bot', '--jwk', 'private.jwk'], capture(), ctx()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'jwk_private');
      assert.match(err.message, /private\.jwk holds a private or symmetric key \(d\); register the PUBLIC key only/);
      return true;
    });
    assert.equal(called, false, 'the private key was not sent anywhere');
    assert.deepEqual(await ops.listAgentKeys('priv-bot'), []);
    writeFileSync(join(tc.dir, 'garbage.jwk'), '{"kty": "EC",');
    await assert.rejects(agentsAddKey(ops, ['priv-bot', '--jwk', 'garbage.jwk'], capture(), ctx()), { code: 'file_invalid', message: /garbage\.jwk is not valid JSON/ });
    await assert.rejects(agentsAddKey(ops, ['priv-bot', '--jwk', 'missing.jwk'], capture(), ctx()), { code: 'file_unreadable', message: /missing\.jwk \(ENOENT\)/ });
    await assert.rejects(agentsAddKey(ops, ['priv-bot'], capture(), ctx()), UsageError);
    const { alg: _alg, ...noAlg } = await publicJwk();
    writeFileSync(join(tc.dir, 'noalg.jwk'), JSON.stringify(noAlg));
    await assert.rejects(agentsAddKey(ops, ['priv-bot', '--jwk', 'noalg.jwk'], capture(), ctx()), { code: 'jwk_alg_missing' });
    assert.equal(await agentsAddKey(ops, ['priv-bot', '--jwk', 'noalg.jwk', '--alg', 'ES256', '--kid', 'given'], capture(), ctx()), 0);
    assert.equal((await ops.listAgentKeys('priv-bot'))[0]!.kid, 'given');
  });
});

describe('client-secrets', () => {
  test('issue prints the secret once (stdout alone, "shown once" on stderr); list never shows it', async () => {
    await agentsCreate(ops, ['cs-bot', '--auth-method', 'client_secret_basic'], capture());
    const c = capture();
    assert.equal(await clientSecretsIssue(ops, ['cs-bot', '--ttl-days', '7'], c), 0);
    const secret = c.text.out.trim();
    assert.equal(c.text.out, `${secret}\n`);
    assert.ok(secret.length >= 40, secret);
    assert.match(c.text.err, /shown once/);
    for (const args of [['cs-bot'], ['cs-bot', '--json']]) {
      const l = capture();
      await clientSecretsList(ops, args, l);
      assert.ok(!l.text.out.includes(secret) && !l.text.out.includes(secret.slice(10)), `list ${args.join(' ')} leaks the secret`);
      assert.match(l.text.out, /cs_/);
    }
    const id = (await ops.listClientSecrets('cs-bot'))[0]!.id;
    const r = capture();
    assert.equal(await clientSecretsRotate(ops, [id, '--overlap-hours', '0'], r), 0);
    const successor = r.text.out.trim();
    assert.notEqual(successor, secret);
    assert.match(r.text.err, new RegExp(`old secret ${id} keeps working until`));
    const listed = capture();
    await clientSecretsList(ops, ['cs-bot'], listed);
    assert.match(listed.text.out, new RegExp(`${id} .* (expired|rotated→cs_)`));
    const newId = (await ops.listClientSecrets('cs-bot')).find((s) => s.id !== id)!.id;
    const rv = capture();
    assert.equal(await clientSecretsRevoke(ops, [newId], rv), 0);
    assert.match(rv.text.out, new RegExp(`^Client secret ${newId} is revoked`));
  });

  test('an agent without a secret method is refused with the fix; bad --ttl-days is a usage error', async () => {
    await agentsCreate(ops, ['nosecret-bot'], capture());
    await assert.rejects(clientSecretsIssue(ops, ['nosecret-bot'], capture()), { code: 'auth_method_not_registered', message: /gatehouse agents auth-methods nosecret-bot/ });
    await assert.rejects(clientSecretsIssue(ops, ['nosecret-bot', '--ttl-days', 'forever'], capture()), UsageError);
    await assert.rejects(clientSecretsRevoke(ops, ['cs_nope'], capture()), { code: 'client_secret_not_found' });
  });
});

describe('issuers', () => {
  const definition = {
    name: 'ci', issuer: 'https://token.actions.example', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'a' }] },
    audience: 'https://gatehouse.example', algorithms: ['ES256'], rules: [{ claims: { repository: 'acme/*' }, agent: 'deploy-bot' }],
  };

  test('add from YAML or JSON, list, show (with rules), replace, remove', async () => {
    writeFileSync(join(tc.dir, 'ci.json'), JSON.stringify(definition));
    const c = capture();
    assert.equal(await issuersAdd(ops, ['--file', 'ci.json'], c, ctx()), 0);
    assert.equal(c.text.out, 'Added trusted issuer ci (https://token.actions.example): 1 mapping rule(s), subject tokens no.\n');
    writeFileSync(join(tc.dir, 'ci.yaml'), `name: ci\nissuer: https://token.actions.example\njwksUrl: https://token.actions.example/.well-known/jwks\nsubjectTokens: true\nsubjectScopes: [read]\n`);
    const u = capture();
    assert.equal(await issuersAdd(ops, ['--file', 'ci.yaml'], u, ctx()), 0);
    assert.match(u.text.out, /^Updated trusted issuer ci .*0 mapping rule\(s\), subject tokens yes/);
    await issuersAdd(ops, ['--file', 'ci.json'], capture(), ctx());
    const l = capture();
    await issuersList(ops, [], l);
    assert.match(l.text.out, /^NAME +ISSUER/);
    assert.match(l.text.out, /\nci +https:\/\/token\.actions\.example +static \(1 key\(s\)\) +1 +no/);
    const s = capture();
    await issuersShow(ops, ['ci'], s);
    assert.match(s.text.out, /audience: +https:\/\/gatehouse\.example/);
    assert.match(s.text.out, /rules:\n {2}repository=acme\/\* {2}→ {2}agent deploy-bot\n/);
    await assert.rejects(issuersShow(ops, ['nope'], capture()), { code: 'issuer_not_found' });
    const r = capture();
    assert.equal(await issuersRemove(ops, ['ci'], r), 0);
    assert.equal(r.text.out, 'Removed trusted issuer ci.\n');
    assert.deepEqual(await ops.listIssuers(), []);
    await assert.rejects(issuersRemove(ops, ['ci'], capture()), { code: 'issuer_not_found' });
  });

  test('a bad definition is refused with an error naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...definition, name: 'Bad Name' }, /bad\.json: invalid trusted issuer: name: /],
      [{ ...definition, algorithms: ['HS256'] }, /algorithms\[0\]: /],
      [{ ...definition, rules: [{ claims: {}, agent: 'x' }] }, /rules\[0\]\.claims: at least one claim/],
      [{ ...definition, colour: 'red' }, /colour: unknown key/],
      [{ ...definition, jwksUrl: 'https://x.example/jwks' }, /jwksUrl: give exactly one of jwksUrl or jwks/],
      [{ ...definition, jwks: undefined, jwksUrl: 'http://127.0.0.1:9/jwks' }, /jwksUrl: /],
    ];
    for (const [def, message] of cases) {
      writeFileSync(join(tc.dir, 'bad.json'), JSON.stringify(def));
      await assert.rejects(issuersAdd(ops, ['--file', 'bad.json'], capture(), ctx()), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'issuer_invalid', err.message);
        assert.match(err.message, message);
        return true;
      });
    }
    writeFileSync(join(tc.dir, 'bad.yaml'), 'name: [unclosed\n');
    await assert.rejects(issuersAdd(ops, ['--file', 'bad.yaml'], capture(), ctx()), { code: 'file_invalid', message: /bad\.yaml cannot be parsed/ });
    await assert.rejects(issuersAdd(ops, [], capture(), ctx()), UsageError);
    assert.deepEqual(await ops.listIssuers(), []);
  });
});

describe('signing keys', () => {
  test('keys signing works on a never-started store; rotate-signing changes the active kid', async () => {
    const l = capture();
    assert.equal(await keysSigning(ops, ['--json'], l), 0);
    const before = JSON.parse(l.text.out) as { kid: string; state: string }[];
    assert.deepEqual(before.map((k) => k.state).sort(), ['active', 'next']);
    assert.ok(!l.text.out.includes('privateEnc') && !l.text.out.includes('"d"'), 'no key material');
    const oldActive = before.find((k) => k.state === 'active')!.kid;
    const oldNext = before.find((k) => k.state === 'next')!.kid;
    const r = capture();
    assert.equal(await keysRotateSigning(ops, [], r), 0);
    assert.match(r.text.out, new RegExp(`^Rotated: the active signing key is now ${oldNext} \\(was ${oldActive};`));
    const after = await ops.listSigningKeys();
    assert.equal(after.find((k) => k.state === 'active')!.kid, oldNext, 'the published next key became active');
    assert.equal(after.find((k) => k.kid === oldActive)!.state, 'retired');
    assert.equal(after.filter((k) => k.state === 'next').length, 1);
    const t = capture();
    await keysSigning(ops, [], t);
    assert.match(t.text.out, new RegExp(`^KID +ALG +STATE +CREATED +ACTIVATED +EXPIRES\\n${oldNext} +ES256 +active`));
    const audit = await ops.queryAudit({ kind: 'admin', limit: 5, order: 'desc' });
    assert.equal(audit[0]!.action, 'signing_key.rotate');
  });
});

describe('token revoke and inspect', () => {
  let serve: Server;
  let jwksUrl: string;
  before(async () => {
    tc.core.oauth.bindIssuer('http://127.0.0.1:1');
    await tc.core.oauth.keys.ensureKeys();
    for (const name of ['alice-bot', 'planner-bot', 'worker-bot']) await tc.core.agents.create({ name }, 'test');
    serve = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(tc.core.oauth.keys.jwks()));
    });
    await new Promise<void>((resolve) => serve.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(serve.address() as AddressInfo).port}/oauth/jwks`;
  });
  after(() => new Promise<void>((resolve) => serve.close(() => resolve())));

  const mint = async (act?: { sub: string; act?: { sub: string } }) => tc.core.oauth.minter.accessToken({
    sub: spiffe('alice-bot'), clientId: 'worker-bot', aud: API, scopes: ['read', 'write'], ttlSeconds: 300, ...(act ? { act } : {}),
  });

  test('inspect shows the claims and the delegation chain in order, and exits 0', async () => {
    const { token, claims } = await mint({ sub: spiffe('worker-bot'), act: { sub: spiffe('planner-bot') } });
    const c = capture();
    assert.equal(await tokenInspect(withOps, [token], c), 0, c.text.out);
    assert.match(c.text.out, /^VALID \(verified with this Gatehouse's signing keys\)\n/);
    assert.match(c.text.out, /type: +at\+jwt \(access token\)/);
    assert.match(c.text.out, /issuer: +http:\/\/127\.0\.0\.1:1\n/);
    assert.match(c.text.out, /audience: +https:\/\/api\.test\/\n/);
    assert.match(c.text.out, /scope: +read write\n/);
    assert.match(c.text.out, /client_id: +worker-bot\n/);
    assert.match(c.text.out, new RegExp(`jti: +${claims.jti}\\n`));
    assert.match(c.text.out, /expires: +\S+ \(in [45]m \d+s\)\n/);
    assert.match(c.text.out, /revoked: +no\n/);
    assert.ok(c.text.out.includes(` ${spiffe('alice-bot')} ← ${spiffe('planner-bot')} ← ${spiffe('worker-bot')}\n`), c.text.out);
    assert.match(c.text.out, /\nchain: +spiffe:/);
    assert.match(c.text.out, /worker-bot is the current actor/);
    const json = capture();
    assert.equal(await tokenInspect(withOps, [token, '--json'], json), 0);
    const x = JSON.parse(json.text.out);
    assert.equal(x.valid, true);
    assert.deepEqual(x.chain, [spiffe('alice-bot'), spiffe('planner-bot'), spiffe('worker-bot')]);
    assert.equal(x.revoked, false);
  });

  test('inspect reads the token from stdin with -, and shows no chain without act', async () => {
    const { token } = await mint();
    const c = capture();
    assert.equal(await tokenInspect(withOps, ['-'], c, undefined, { stdin: Readable.from([`${token}\n`]) }), 0, c.text.out);
    assert.ok(c.text.out.includes(` ${spiffe('alice-bot')} (no delegation)\n`), c.text.out);
  });

  test('a tampered, foreign or malformed token is INVALID with exit code 1', async () => {
    const { token } = await mint();
    const [h, p, s] = token.split('.');
    const other = (await mint()).token.split('.')[2]; // a valid signature, over other claims
    const c = capture();
    assert.equal(await tokenInspect(withOps, [`${h}.${p}.${other}`], c), 1);
    assert.match(c.text.out, /^INVALID: signature does not verify\n/);
    const forged = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'unknown-kid', typ: 'at+jwt' })).toString('base64url');
    const f = capture();
    assert.equal(await tokenInspect(withOps, [`${forged}.${p}.${s}`], f), 1);
    assert.match(f.text.out, /^INVALID: no published key matches its kid and alg\n/);
    const m = capture();
    assert.equal(await tokenInspect(withOps, ['not-a-token'], m), 1);
    assert.match(m.text.out, /^INVALID: not a signed JWT/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    const n = capture();
    assert.equal(await tokenInspect(withOps, [none], n), 1);
    assert.match(n.text.out, /^INVALID: /);
  });

  test('--jwks verifies against that JWKS and does not open the store or check revocation', async () => {
    const { token } = await mint({ sub: spiffe('planner-bot') });
    const unused: WithOps = async () => assert.fail('--jwks must not open AdminOps');
    const c = capture();
    assert.equal(await tokenInspect(unused, [token, '--jwks', jwksUrl], c), 0, c.text.out);
    assert.match(c.text.out, new RegExp(`^VALID \\(verified with the JWKS at ${jwksUrl.replace(/[.]/g, '\\.')}\\)`));
    assert.match(c.text.out, /revoked: +not checked\n/);
    await assert.rejects(tokenInspect(unused, [token, '--jwks', 'ftp://x'], capture()), UsageError);
    await assert.rejects(tokenInspect(unused, [token, '--jwks', 'http://127.0.0.1:1/jwks'], capture()), { code: 'jwks_unavailable' });
  });

  test('token revoke stores the revocation; inspect then reports the token revoked and invalid', async () => {
    const { token, claims } = await mint();
    const r = capture();
    const now = Date.now();
    assert.equal(await tokenRevoke(ops, [claims.jti], r), 0);
    assert.match(r.text.out, new RegExp(`^Token ${claims.jti} is revoked`));
    const rec = await tc.core.store.getRevokedToken(claims.jti);
    assert.ok(rec, 'the store has the revocation');
    const ttl = rec.expiresAt - rec.revokedAt;
    assert.equal(ttl, 3_600_000 + tc.core.config().oauth.clockSkewSeconds * 1000);
    assert.ok(rec.revokedAt >= now - 1000 && rec.revokedAt <= Date.now());
    assert.equal((await tc.core.oauth.verifier.verify(token, API)).ok, false, 'the gateway refuses it');
    const again = capture();
    assert.equal(await tokenRevoke(ops, [claims.jti, '--json'], again), 0);
    assert.equal(JSON.parse(again.text.out).revokedAt, rec.revokedAt, 'revoking twice keeps the first record');
    const c = capture();
    assert.equal(await tokenInspect(withOps, [token], c), 1);
    assert.match(c.text.out, /^INVALID: revoked at /);
    assert.match(c.text.out, /revoked: +yes, at /);
    const audit = await ops.queryAudit({ kind: 'admin', limit: 1, order: 'desc' });
    assert.equal(audit[0]!.action, 'token.revoke');
    assert.deepEqual(audit[0]!.details?.jti, claims.jti);
    await assert.rejects(tokenRevoke(ops, ['has space'], capture()), { code: 'jti_invalid' });
  });
});
