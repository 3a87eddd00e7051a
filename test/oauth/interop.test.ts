import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';

// Interoperability: a third-party OAuth client (openid-client, over oauth4webapi) drives every
// flow through discovery, and jose verifies what we issue against the published JWKS.

const API = 'https://api.interop.test/';

const config = (upstream: string) => ({
  oauth: { resources: [{ uri: API }] },
  routes: [{ id: 'api', path: '/api/*', upstream, resource: API, accept: ['jwt'] }],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*'], agents: { scopes: ['read'] } }] },
});

describe('interop: openid-client against the token service', () => {
  let h: Harness;
  let discover: (clientId: string, auth: client.ClientAuth) => Promise<client.Configuration>;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  before(async () => {
    h = await startHarness(config);
    discover = (clientId, auth) => client.discovery(new URL(h.gw.dataUrl), clientId, undefined, auth, { algorithm: 'oauth2', execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(`${h.gw.dataUrl}/oauth/jwks`));
  });
  after(() => h.close());

  it('client_credentials with client_secret_basic; the token verifies with jose and opens the route', async () => {
    await h.core.agents.create({ name: 'basic-bot', scopes: ['read', 'write'], authMethods: ['client_secret_basic'] }, 'test');
    const { secret } = await h.core.oauth.secrets.issue('basic-bot', {}, 'test');
    const cfg = await discover('basic-bot', client.ClientSecretBasic(secret));
    const tokens = await client.clientCredentialsGrant(cfg, { scope: 'read', resource: API });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'read');
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: h.gw.dataUrl, audience: API, typ: 'at+jwt' });
    assert.equal(payload.client_id, 'basic-bot');
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 200);
  });

  it('client_credentials with private_key_jwt (the agent holds only its private key)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    await h.core.agents.create({ name: 'pkj-bot', scopes: ['read'], authMethods: ['private_key_jwt'] }, 'test');
    await h.core.oauth.agentKeys.add('pkj-bot', { ...(await exportJWK(publicKey)) }, { alg: 'ES256', kid: 'k1' }, 'test');
    const cfg = await discover('pkj-bot', client.PrivateKeyJwt({ key: privateKey, kid: 'k1' }));
    const tokens = await client.clientCredentialsGrant(cfg, { resource: API });
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: h.gw.dataUrl, audience: API });
    assert.equal(payload.sub, 'spiffe://gatehouse.local/agent/pkj-bot');
    // The same assertion cannot be replayed: every request carries a fresh jti, so a second grant works too.
    assert.ok((await client.clientCredentialsGrant(cfg, { resource: API })).access_token);
  });

  it('token exchange: an orchestrator acts for a worker; act nests the chain and scope narrows', async () => {
    await h.core.agents.create({ name: 'worker', scopes: ['read', 'write'], authMethods: ['client_secret_basic'] }, 'test');
    await h.core.agents.create({ name: 'orchestrator', scopes: ['read', 'deploy'], authMethods: ['client_secret_basic'] }, 'test');
    const worker = await discover('worker', client.ClientSecretBasic((await h.core.oauth.secrets.issue('worker', {}, 'test')).secret));
    const orchestrator = await discover('orchestrator', client.ClientSecretBasic((await h.core.oauth.secrets.issue('orchestrator', {}, 'test')).secret));
    const subject = await client.clientCredentialsGrant(worker, { resource: API });
    const exchanged = await client.genericGrantRequest(orchestrator, 'urn:ietf:params:oauth:grant-type:token-exchange', {
      subject_token: subject.access_token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', resource: API,
    });
    assert.equal(exchanged.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(exchanged.scope, 'read', 'the intersection of the subject (read write) and the actor (read deploy)');
    const { payload } = await jwtVerify(exchanged.access_token, jwks, { issuer: h.gw.dataUrl, audience: API, typ: 'at+jwt' });
    assert.equal(payload.sub, 'spiffe://gatehouse.local/agent/worker');
    assert.equal(payload.client_id, 'orchestrator');
    assert.deepEqual(payload.act, { sub: 'spiffe://gatehouse.local/agent/orchestrator' });
    assert.ok((payload.exp as number) <= (await jwtVerify(subject.access_token, jwks)).payload.exp!);

    // The gateway sees the delegation; the upstream gets it in the signed assertion.
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${exchanged.access_token}` } });
    assert.equal(res.status, 200);
    const seen = h.upstream.seen.at(-1)!;
    assert.equal(seen.headers['x-gatehouse-agent'], 'orchestrator');
    assert.equal(seen.headers['x-gatehouse-subject'], 'spiffe://gatehouse.local/agent/worker');
    const identity = await jwtVerify(seen.headers['x-gatehouse-identity'] as string, jwks, { typ: 'gatehouse-identity+jwt' });
    assert.deepEqual(identity.payload.act, { sub: 'spiffe://gatehouse.local/agent/orchestrator' });

    // The exchange is audited with its whole chain.
    const audit = (await h.requestAudit()).filter((r) => r.reasons.includes('token_exchanged'));
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.details?.chain, ['spiffe://gatehouse.local/agent/worker', 'spiffe://gatehouse.local/agent/orchestrator']);
  });

  it('introspection and revocation (RFC 7662, RFC 7009); a revoked token is refused at once', async () => {
    await h.core.agents.create({ name: 'rev-bot', scopes: ['read'], authMethods: ['client_secret_post'] }, 'test');
    const cfg = await discover('rev-bot', client.ClientSecretPost((await h.core.oauth.secrets.issue('rev-bot', {}, 'test')).secret));
    const { access_token: token } = await client.clientCredentialsGrant(cfg, { resource: API });
    const info = await client.tokenIntrospection(cfg, token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, 'rev-bot');
    await client.tokenRevocation(cfg, token);
    assert.equal((await client.tokenIntrospection(cfg, token)).active, false);
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });
});
