import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { capture } from '../../src/cli/cli-harness.test-helper.ts';
import { runCli } from '../../src/cli/cli.ts';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

const API = 'https://api.test/agents';

const config = (upstream: string) => ({
  oauth: { resources: [{ uri: API }], defaultResource: API },
  routes: [{ id: 'api', path: '/api/*', upstream, resource: API }],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*'], agents: { scopes: ['read'] } }] },
});

describe('gatehouse token (against a running gateway)', () => {
  let h: Harness;
  let secret: string;
  before(async () => {
    h = await startHarness(config);
    await h.core.agents.create({ name: 'bot', scopes: ['read', 'write'], authMethods: ['client_secret_basic', 'client_secret_post'] }, 'test');
    secret = (await h.core.oauth.secrets.issue('bot', {}, 'test')).secret;
    writeFileSync(join(h.dir, 'bot.secret'), `${secret}\n`);
    await h.core.agents.create({ name: 'jwt-bot', scopes: ['read'], authMethods: ['private_key_jwt'] }, 'test');
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    await h.core.oauth.agentKeys.add('jwt-bot', { ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'jk' }, {}, 'test');
    writeFileSync(join(h.dir, 'jwt-bot.jwk'), JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'jk' }));
  });
  after(() => h.close());

  const cli = async (argv: string[], env: Record<string, string> = {}) => {
    const c = capture();
    const code = await runCli(argv, c, { cwd: h.dir, env });
    return { code, out: c.text.out, err: c.text.err };
  };

  it('client_secret_basic from an env var: prints a token the gateway and jose accept', async () => {
    const r = await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret-env', 'BOT_SECRET', '--scope', 'read'], { BOT_SECRET: secret });
    assert.equal(r.code, 0, r.err);
    const token = r.out.trim();
    assert.equal(r.out, `${token}\n`, 'the token alone on stdout');
    assert.match(r.err, /Access token for bot: scope "read", expires in 300 s, jti tok_/);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${h.gw.dataUrl}/oauth/jwks`)), { issuer: h.gw.dataUrl, audience: API });
    assert.equal(payload.client_id, 'bot');
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });

  it('client_secret_post from a file, --json prints the token response', async () => {
    const r = await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret-file', 'bot.secret', '--auth-method', 'client_secret_post', '--resource', API, '--json']);
    assert.equal(r.code, 0, r.err);
    const body = JSON.parse(r.out) as { token_type: string; scope: string; access_token: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'read write');
  });

  it('private_key_jwt with a private JWK: the assertion is accepted', async () => {
    const r = await cli(['token', '--url', h.gw.dataUrl, '--client', 'jwt-bot', '--key', 'jwt-bot.jwk']);
    assert.equal(r.code, 0, r.err);
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${r.out.trim()}` } })).status, 200);
  });

  it('a wrong secret is refused with the OAuth error; a secret on the command line is a usage error', async () => {
    const r = await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret-env', 'S'], { S: `${secret.slice(0, -2)}xx` });
    assert.equal(r.code, 1);
    assert.match(r.err, /the token endpoint refused: invalid_client/);
    assert.equal(r.out, '');
    assert.equal((await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret', secret])).code, 2);
    assert.equal((await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot'])).code, 2);
    assert.match((await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret-env', 'UNSET'])).err, /UNSET is not set/);
    assert.match((await cli(['token', '--url', 'http://127.0.0.1:1', '--client', 'bot', '--secret-env', 'S'], { S: secret })).err, /cannot reach .* \[token_endpoint_unreachable\]/);
  });

  it('token inspect (local store) then token revoke: the gateway refuses the token from then on', async () => {
    const t = await cli(['token', '--url', h.gw.dataUrl, '--client', 'bot', '--secret-env', 'S', '--scope', 'read'], { S: secret });
    const token = t.out.trim();
    const i = await cli(['token', 'inspect', token, '--json', '--config', h.configFile]);
    assert.equal(i.code, 0, i.err);
    const x = JSON.parse(i.out) as { valid: boolean; claims: { jti: string } };
    assert.equal(x.valid, true);
    const r = await cli(['token', 'revoke', x.claims.jti, '--config', h.configFile]);
    assert.equal(r.code, 0, r.err);
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 401);
    const again = await cli(['token', 'inspect', token, '--config', h.configFile]);
    assert.equal(again.code, 1);
    assert.match(again.out, /^INVALID: revoked at/);
  });
});
