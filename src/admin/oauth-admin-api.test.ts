import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { hashApiKey } from '../core/api-key-format.ts';
import { capture } from '../cli/cli-harness.test-helper.ts';
import { runCli } from '../cli/cli.ts';
import { useAdminServer } from './admin-fixture.test-helper.ts';
import { RemoteAdminOps } from './remote-admin-ops.ts';

const fx = useAdminServer();

interface Answer { status: number; text: string; json: any } // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(path: string, opts: { method?: string; body?: object } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${fx.srv.token}` };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${fx.srv.url}${path}`, { method: opts.method ?? (opts.body ? 'POST' : 'GET'), headers, ...(opts.body ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

const remote = () => new RemoteAdminOps({ url: fx.srv.url, token: fx.srv.token });
const publicJwk = async () => ({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)), alg: 'ES256' });

describe('token service admin API', () => {
  test('auth methods, agent keys and client secrets over HTTP, audited as admin-api', async () => {
    assert.equal((await call('/v1/agents', { body: { name: 'api-bot', authMethods: ['private_key_jwt'] } })).json.authMethods[0], 'private_key_jwt');
    const set = await call('/v1/agents/api-bot/auth-methods', { body: { methods: ['client_secret_post', 'private_key_jwt'] } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json.authMethods, ['client_secret_post', 'private_key_jwt']);
    const bad = await call('/v1/agents/api-bot/auth-methods', { body: { methods: ['password'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /body\.methods\[0\]/);

    const added = await call('/v1/agents/api-bot/jwks', { body: { jwk: await publicJwk(), kid: 'k1' } });
    assert.equal(added.status, 201, added.text);
    assert.equal(added.json.kid, 'k1');
    assert.equal((await call('/v1/agents/api-bot/jwks')).json.keys.length, 1);
    const priv = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256' };
    const refused = await call('/v1/agents/api-bot/jwks', { body: { jwk: priv } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'jwk_private');
    assert.equal((await call('/v1/agents/api-bot/jwks/k1/remove', { body: {} })).json.revokedAt !== null, true);

    const issued = await call('/v1/agents/api-bot/client-secrets', { body: { ttlDays: 3 } });
    assert.equal(issued.status, 201, issued.text);
    const secret: string = issued.json.secret;
    const hash = hashApiKey(fx.tc.core.secret.reveal(), secret);
    for (const path of ['/v1/agents/api-bot/client-secrets', '/v1/audit?limit=1000']) {
      const listed = await call(path);
      assert.ok(!listed.text.includes(secret) && !listed.text.includes(hash), `${path} leaks the secret`);
    }
    const rotated = await call(`/v1/client-secrets/${issued.json.record.id}/rotate`, { body: { overlapHours: 0 } });
    assert.equal(rotated.status, 201, rotated.text);
    assert.equal(rotated.json.previous.replacedBy, rotated.json.record.id);
    assert.notEqual((await call(`/v1/client-secrets/${rotated.json.record.id}/revoke`, { body: {} })).json.revokedAt, null);
    assert.equal((await call('/v1/client-secrets/cs_nope/revoke', { body: {} })).json.code, 'client_secret_not_found');

    const actions = (await call('/v1/audit?agent=api-bot&kind=admin&order=asc')).json.records.map((r: { action: string; actor: string }) => `${r.action}:${r.actor}`);
    assert.deepEqual(actions, ['agent.create', 'agent.auth_methods', 'agent_key.add', 'agent_key.remove', 'client_secret.issue', 'client_secret.rotate', 'client_secret.revoke'].map((a) => `${a}:admin-api`));
  });

  test('issuers: body validation names the field; cross-field errors are issuer_invalid', async () => {
    const def = { name: 'idp', issuer: 'https://idp.example', jwksUrl: 'https://idp.example/jwks', subjectTokens: true };
    const put = await call('/v1/issuers', { body: def });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.algorithms, ['RS256', 'ES256'], 'defaults applied');
    const bad = await call('/v1/issuers', { body: { ...def, name: 'UPPER' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /body\.name/);
    const both = await call('/v1/issuers', { body: { ...def, jwks: { keys: [{ kty: 'EC' }] } } });
    assert.equal(both.json.code, 'issuer_invalid');
    assert.match(both.json.detail, /jwksUrl: give exactly one/);
    assert.deepEqual((await call('/v1/issuers')).json.issuers.map((i: { name: string }) => i.name), ['idp']);
    assert.deepEqual((await call('/v1/issuers/idp/remove', { body: {} })).json, { removed: 'idp' });
    assert.equal((await call('/v1/issuers/idp/remove', { body: {} })).json.code, 'issuer_not_found');
  });

  test('signing keys: list (no key material), rotate, JWKS; token revocation by jti', async () => {
    const listed = await call('/v1/signing-keys');
    assert.equal(listed.status, 200, listed.text);
    assert.doesNotMatch(listed.text, /privateEnc|"d"|publicJwk/);
    const active = listed.json.keys.find((k: { state: string }) => k.state === 'active').kid;
    const rotated = await call('/v1/signing-keys/rotate', { body: {} });
    assert.equal(rotated.json.rotated, true);
    assert.equal(rotated.json.previousKid, active);
    assert.notEqual(rotated.json.activeKid, active);
    const jwks = (await call('/v1/signing-keys/jwks')).json;
    assert.ok(jwks.keys.some((k: { kid: string }) => k.kid === active), 'the retired key stays published');
    assert.ok(jwks.keys.every((k: Record<string, unknown>) => !('d' in k)));

    assert.deepEqual((await call('/v1/tokens/tok_x')).json, { revocation: null });
    const revoked = await call('/v1/tokens/tok_x/revoke', { body: {} });
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.json.jti, 'tok_x');
    assert.equal((await fx.tc.core.store.getRevokedToken('tok_x'))?.revokedAt, revoked.json.revokedAt);
    assert.equal((await call('/v1/tokens/tok_x')).json.revocation.jti, 'tok_x');
  });

  test('RemoteAdminOps covers every token-service operation with the same results as local', async () => {
    const ops = remote();
    await ops.createAgent({ name: 'remote-oauth', authMethods: ['client_secret_basic'] });
    assert.deepEqual((await ops.setAgentAuthMethods('remote-oauth', ['client_secret_basic', 'private_key_jwt'])).authMethods, ['client_secret_basic', 'private_key_jwt']);
    const key = await ops.addAgentKey('remote-oauth', await publicJwk(), { kid: 'rk' });
    assert.deepEqual((await ops.listAgentKeys('remote-oauth')).map((k) => k.kid), ['rk']);
    assert.equal((await ops.removeAgentKey('remote-oauth', key.id)).id, key.id);
    const issued = await ops.issueClientSecret('remote-oauth', {});
    assert.equal((await fx.tc.core.oauth.secrets.verify(await fx.tc.core.agents.get('remote-oauth'), issued.secret)).ok, true, 'the returned secret works');
    assert.deepEqual((await ops.listClientSecrets('remote-oauth')).map((s) => s.id), [issued.record.id]);
    const rotated = await ops.rotateClientSecret(issued.record.id, { overlapHours: 1 });
    assert.equal((await ops.revokeClientSecret(rotated.record.id)).id, rotated.record.id);
    assert.equal((await ops.putIssuer({ name: 'r-idp', issuer: 'https://r.example', jwksUrl: 'https://r.example/jwks', subjectTokens: true })).name, 'r-idp');
    assert.deepEqual((await ops.listIssuers()).map((i) => i.name), ['r-idp']);
    await ops.removeIssuer('r-idp');
    await assert.rejects(ops.removeIssuer('r-idp'), { code: 'issuer_not_found', status: 404 });
    const before = await ops.listSigningKeys();
    const r = await ops.rotateSigningKeys();
    assert.equal(r.previousKid, before.find((k) => k.state === 'active')!.kid);
    assert.ok((await ops.signingJwks()).keys.some((k) => k.kid === r.activeKid));
    assert.equal((await ops.revokeToken('tok_remote')).jti, 'tok_remote');
    assert.equal((await ops.tokenRevocation('tok_remote'))?.jti, 'tok_remote');
    assert.equal(await ops.tokenRevocation('tok_never'), null);
    await assert.rejects(ops.revokeToken('a b'), { code: 'jti_invalid', status: 400 });
  });

  test('the CLI with --admin-url: a bad issuer file names the field; a private JWK is never sent; inspect and revoke', async () => {
    const env = { GATEHOUSE_ADMIN_URL: fx.srv.url, GATEHOUSE_ADMIN_TOKEN: fx.srv.token };
    writeFileSync(join(fx.tc.dir, 'idp.yaml'), 'name: idp2\nissuer: https://idp.example\njwksUrl: https://idp.example/jwks\nalgorithms: [HS256]\nsubjectTokens: true\n');
    const c = capture();
    assert.equal(await runCli(['issuers', 'add', '--file', 'idp.yaml'], c, { cwd: fx.tc.dir, env }), 1);
    assert.match(c.text.err, /^gatehouse issuers add: idp\.yaml: invalid trusted issuer: algorithms\[0\]: .* \[issuer_invalid\]\n$/);
    const priv = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256' };
    writeFileSync(join(fx.tc.dir, 'priv.jwk'), JSON.stringify(priv));
    await remote().createAgent({ name: 'cli-remote' });
    const k = capture();
    assert.equal(await runCli(['agents', 'add-key', 'cli-remote', '--jwk', 'priv.jwk'], k, { cwd: fx.tc.dir, env }), 1);
    // Only the CLI's own check says "nothing was sent": the service's refusal reads differently.
    assert.match(k.text.err, /register the PUBLIC key only \(nothing was sent or stored\) \[jwk_private\]/);
    const s = capture();
    assert.equal(await runCli(['keys', 'signing', '--json'], s, { cwd: fx.tc.dir, env }), 0, s.text.err);
    assert.ok((JSON.parse(s.text.out) as { state: string }[]).some((x) => x.state === 'active'));
    // token inspect over the admin API: the JWKS and the revocation come from the running gateway.
    fx.tc.core.oauth.bindIssuer('http://127.0.0.1:1');
    const { token, claims } = await fx.tc.core.oauth.minter.accessToken({ sub: 'spiffe://gatehouse.local/agent/cli-remote', clientId: 'cli-remote', aud: 'https://api.test/', scopes: [], ttlSeconds: 60 });
    const i = capture();
    assert.equal(await runCli(['token', 'inspect', token], i, { cwd: fx.tc.dir, env }), 0, i.text.out + i.text.err);
    assert.match(i.text.out, /^VALID .*\n[\s\S]*revoked: +no\n/);
    assert.equal(await runCli(['token', 'revoke', claims.jti], capture(), { cwd: fx.tc.dir, env }), 0);
    const j = capture();
    assert.equal(await runCli(['token', 'inspect', token], j, { cwd: fx.tc.dir, env }), 1);
    assert.match(j.text.out, /^INVALID: revoked at /);
  });
});
