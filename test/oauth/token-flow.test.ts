import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

const API = 'https://api.test/agents';

const config = (upstream: string) => ({
  oauth: { resources: [{ uri: API }], defaultResource: API },
  routes: [{ id: 'api', path: '/api/*', upstream, resource: API }],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*'], agents: { scopes: ['read'] } }] },
});

describe('token service: client_credentials → JWT at the gateway', () => {
  let h: Harness;
  let secret: string;
  before(async () => {
    h = await startHarness(config);
    await h.core.agents.create({ name: 'bot', scopes: ['read', 'write'], authMethods: ['client_secret_basic'] }, 'test');
    secret = (await h.core.oauth.secrets.issue('bot', {}, 'test')).secret;
  });
  after(() => h.close());

  const token = async (body: Record<string, string>, auth = `Basic ${Buffer.from(`bot:${secret}`).toString('base64')}`): Promise<Response> =>
    h.request('/oauth/token', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });

  it('issues an at+jwt that jose verifies against the published JWKS', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'read' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'read');
    const jwks = createRemoteJWKSet(new URL(`${h.gw.dataUrl}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, { issuer: h.gw.dataUrl, audience: API, typ: 'at+jwt' });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, 'spiffe://gatehouse.local/agent/bot');
    assert.equal(payload.client_id, 'bot');
    assert.equal(payload.scope, 'read');
    assert.ok(typeof payload.jti === 'string');
    assert.equal((payload.exp as number) - (payload.iat as number), 300);

    const api = await h.request('/api/things', { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(api.status, 200);
    const seen = h.upstream.seen.at(-1)!;
    assert.equal(seen.headers['x-gatehouse-agent'], 'bot');
    assert.equal(seen.headers['x-gatehouse-credential-type'], 'jwt');
    assert.equal(seen.headers.authorization, undefined, 'the caller token is not passed upstream');
    const assertion = seen.headers['x-gatehouse-identity'] as string;
    const verified = await jwtVerify(assertion, jwks, { issuer: h.gw.dataUrl, audience: new URL(h.upstream.url).origin, typ: 'gatehouse-identity+jwt' });
    assert.equal(verified.payload.agent, 'bot');
  });

  it('metadata names the endpoints', async () => {
    const res = await h.request('/.well-known/oauth-authorization-server');
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, h.gw.dataUrl);
    assert.equal(doc.token_endpoint, `${h.gw.dataUrl}/oauth/token`);
  });
});

describe('token service: EdDSA signing (oauth.signing.alg)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((upstream) => ({ ...config(upstream), oauth: { resources: [{ uri: API }], defaultResource: API, signing: { alg: 'EdDSA' } } }));
    await h.core.agents.create({ name: 'ed-bot', scopes: ['read'], authMethods: ['client_secret_post'] }, 'test');
  });
  after(() => h.close());

  it('issues Ed25519-signed tokens that jose verifies and the gateway accepts', async () => {
    const { secret } = await h.core.oauth.secrets.issue('ed-bot', {}, 'test');
    const res = await h.request('/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'ed-bot', client_secret: secret }).toString() });
    assert.equal(res.status, 200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    const { protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${h.gw.dataUrl}/oauth/jwks`)), { issuer: h.gw.dataUrl, audience: API });
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 200);
  });
});
