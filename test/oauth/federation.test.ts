import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

// Federation (RFC 7523 §2.1) with an external issuer served on loopback: a CI system's workload
// token is exchanged for a Gatehouse token by an agent that holds no secret at all; and a user's
// IdP token is the subject of a delegation (RFC 8693).

const API = 'https://api.federation.test/';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface Issuer { url: string; key: CryptoKey; hits: number; server: Server }

async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'ci-1', alg: 'RS256', use: 'sig' };
  const issuer: Issuer = { url: '', key: privateKey, hits: 0, server: createServer((req, res) => {
    issuer.hits += 1;
    if (req.url !== '/.well-known/jwks') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  }) };
  await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(issuer.server.address() as AddressInfo).port}`;
  return issuer;
}

describe('federation: trusted external issuer on loopback', () => {
  let h: Harness;
  let ci: Issuer;
  const assertion = (claims: Record<string, unknown>, opts: { aud?: string; exp?: string; kid?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'ci-1' }).setIssuer(ci.url).setAudience(opts.aud ?? h.gw.dataUrl)
      .setIssuedAt().setExpirationTime(opts.exp ?? '5m').sign(ci.key);
  const grant = (body: Record<string, string>) => h.request('/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

  before(async () => {
    ci = await startIssuer();
    h = await startHarness((upstream) => ({
      oauth: { resources: [{ uri: API }], defaultResource: API },
      routes: [{ id: 'api', path: '/api/*', upstream, resource: API }],
      policies: { rules: [{ id: 'deploy', methods: ['GET'], paths: ['/api/*'], agents: { names: ['deployer'] } }] },
    }));
    await h.core.agents.create({ name: 'deployer', scopes: ['deploy', 'read'] }, 'test'); // no auth methods, no secret
    await h.core.oauth.issuers.put({
      name: 'ci', issuer: ci.url, jwksUrl: `${ci.url}/.well-known/jwks`, algorithms: ['RS256'], allowPrivateNetwork: true,
      rules: [{ claims: { sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, agent: 'deployer' }],
      subjectTokens: true, subjectScopes: ['read'],
    }, 'test');
  });
  after(async () => {
    await h.close();
    ci.server.close();
  });

  it('a mapped workload assertion gets a token for the agent; the agent held no secret', async () => {
    const res = await grant({ grant_type: JWT_BEARER, assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }), scope: 'deploy' });
    assert.equal(res.status, 200, await res.clone().text());
    const { access_token: token, scope } = (await res.json()) as { access_token: string; scope: string };
    assert.equal(scope, 'deploy');
    const { payload } = await jwtVerify(token, createLocalJWKSet(h.core.oauth.keys.jwks() as never), { audience: API });
    assert.equal(payload.sub, 'spiffe://gatehouse.local/agent/deployer');
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const audit = (await h.requestAudit()).filter((r) => r.reasons.includes('token_issued'));
    assert.equal(audit.at(-1)!.details?.trustedIssuer, 'ci');
  });

  const refused: Array<[string, () => Promise<Record<string, string>>, string]> = [
    ['a branch no rule maps', async () => ({ grant_type: JWT_BEARER, assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/evil', repository_owner: 'acme' }) }), 'invalid_grant'],
    ['an assertion for another audience', async () => ({ grant_type: JWT_BEARER, assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, { aud: 'https://elsewhere.test' }) }), 'invalid_grant'],
    ['an expired assertion', async () => ({ grant_type: JWT_BEARER, assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, { exp: '-5m' }) }), 'invalid_grant'],
    ['an unknown kid', async () => ({ grant_type: JWT_BEARER, assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }, { kid: 'nope' }) }), 'invalid_grant'],
    ['a client_id other than the mapped agent', async () => ({ grant_type: JWT_BEARER, client_id: 'someone-else', assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }) }), 'invalid_grant'],
    ['a scope the agent lacks', async () => ({ grant_type: JWT_BEARER, scope: 'admin', assertion: await assertion({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme' }) }), 'invalid_scope'],
    ['no assertion', async () => ({ grant_type: JWT_BEARER }), 'invalid_request'],
  ];
  for (const [name, body, error] of refused) {
    it(`refuses ${name} with ${error}`, async () => {
      const res = await grant(await body());
      assert.equal(res.status, 400);
      const json = (await res.json()) as { error: string; access_token?: string };
      assert.equal(json.error, error);
      assert.equal(json.access_token, undefined);
    });
  }

  it('a user token from the trusted IdP is a delegation subject: sub is the user, act the agent, scope ≤ the issuer\'s subjectScopes', async () => {
    await h.core.agents.create({ name: 'assistant', scopes: ['read', 'write'], authMethods: ['client_secret_basic'] }, 'test');
    const { secret } = await h.core.oauth.secrets.issue('assistant', {}, 'test');
    const userToken = await assertion({ sub: 'user:alice', scope: 'read write', may_act: { sub: 'spiffe://gatehouse.local/agent/assistant' } });
    const res = await h.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`assistant:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }).toString(),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { access_token: token, scope } = (await res.json()) as { access_token: string; scope: string };
    assert.equal(scope, 'read', 'write is beyond the issuer\'s subjectScopes');
    const { payload } = await jwtVerify(token, createLocalJWKSet(h.core.oauth.keys.jwks() as never));
    assert.equal(payload.sub, 'user:alice');
    assert.equal(payload.sub_iss, ci.url);
    assert.deepEqual(payload.act, { sub: 'spiffe://gatehouse.local/agent/assistant' });
  });

  it('may_act naming another actor refuses the exchange', async () => {
    const { secret } = await h.core.oauth.secrets.issue('assistant', {}, 'test');
    const userToken = await assertion({ sub: 'user:bob', scope: 'read', may_act: { sub: 'spiffe://gatehouse.local/agent/someone-else' } });
    const res = await h.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`assistant:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }).toString(),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('fetched the issuer\'s JWKS a bounded number of times (cached; unknown kids rate-limited)', () => {
    assert.ok(ci.hits >= 1 && ci.hits <= 3, `JWKS fetched ${ci.hits} times`);
  });
});
