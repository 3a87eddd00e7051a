import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertOAuthRejected, assertRejected, attackConfig, fromResponse, snapshot, tokenRequest } from './attack-kit.ts';

// A route accepts the credential kinds it names (routes[].accept) and no other: a valid credential
// of the wrong kind is refused like a bad one — the upstream sees nothing, one audit record says why.
// And a request that carries no credential guesses nothing: it is refused (and audited) without
// counting toward the address lockout, at the gateway and at the token endpoint alike.

const API = 'https://api.kinds.test/';

// The three wrong-kind refusals count toward the lockout (a credential was presented); with
// maxFailures 5, the ten credential-less requests after them would lock the address out if they counted.
const config = (u: string): Record<string, unknown> => ({
  ...attackConfig(u),
  oauth: { resources: [{ uri: API }], defaultResource: API },
  routes: [
    { id: 'keys-only', path: '/keys/*', upstream: u },
    { id: 'jwt-only', path: '/jwt/*', upstream: u, resource: API, accept: ['jwt'] },
    { id: 'keys-explicit', path: '/explicit/*', upstream: u, resource: API, accept: ['apiKey'] },
    { id: 'both', path: '/both/*', upstream: u, resource: API },
  ],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/keys/*', '/jwt/*', '/explicit/*', '/both/*'] }] },
  rateLimit: { perAgent: { rate: 1000, burst: 1000 }, perAddress: { rate: 1000, burst: 1000 }, authFailures: { maxFailures: 5, windowSeconds: 60, lockoutSeconds: 60 } },
});

describe('credential kinds per route (routes[].accept)', () => {
  let h: Harness;
  let key: string;
  let jwt: string;
  before(async () => {
    h = await startHarness(config);
    await h.core.agents.create({ name: 'kinds', scopes: ['read'], authMethods: ['client_secret_post'] }, 'test');
    key = (await h.core.keys.issue('kinds', {}, 'test')).key;
    const { secret } = await h.core.oauth.secrets.issue('kinds', {}, 'test');
    const res = await tokenRequest(h, { grant_type: 'client_credentials', client_id: 'kinds', client_secret: secret });
    jwt = ((await res.json()) as { access_token: string }).access_token;
  });
  after(() => h.close());

  const refused: Array<[string, string, () => string]> = [
    ['a JWT on a route without a resource (API keys only)', '/keys/x', () => jwt],
    ['an API key on a JWT-only route', '/jwt/x', () => key],
    ['a JWT on a route that names a resource but accepts only API keys', '/explicit/x', () => jwt],
  ];
  for (const [name, path, credential] of refused) {
    it(`refuses ${name}: 401, upstream saw nothing, one audit record`, async () => {
      const before = await snapshot(h);
      const res = await h.request(path, { headers: { authorization: `Bearer ${credential()}` } });
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      await assertRejected(h, before, fromResponse(res), { status: 401, reason: 'credential_not_accepted' });
    });
  }

  it('accepts each kind where the route names it (control)', async () => {
    for (const [path, credential] of [['/keys/x', key], ['/jwt/x', jwt], ['/explicit/x', key], ['/both/x', key], ['/both/x', jwt]] as const) {
      assert.equal((await h.request(path, { headers: { authorization: `Bearer ${credential}` } })).status, 200, path);
    }
  });

  it('requests with no credential — at the gateway or the token endpoint — are refused and audited but never lock the address out', async () => {
    for (let i = 0; i < 5; i++) {
      let before = await snapshot(h);
      await assertRejected(h, before, fromResponse(await h.request('/both/x')), { status: 401, reason: 'credential_missing' });
      before = await snapshot(h);
      await assertOAuthRejected(h, before, await tokenRequest(h, { grant_type: 'client_credentials' }), { status: 401, error: 'invalid_client', reason: 'credential_missing' });
    }
    assert.equal((await h.request('/both/x', { headers: { authorization: `Bearer ${key}` } })).status, 200, 'not locked out: 3 wrong-kind failures + 10 credential-less requests, maxFailures 5');
  });
});
