import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CompactSign, decodeJwt, exportJWK, exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import { startHarness, type Harness } from '../helpers/gateway-harness.ts';
import { assertOAuthRejected, assertRejected, attackConfig, basicAuth, compact, fromResponse, snapshot, tokenRequest } from './attack-kit.ts';

// SECURITY-CASES 16–20: the token service. Every refusal is the RFC 6749 §5.2 error named by the
// case, carries no token, reaches no upstream and leaves exactly one audit record with its reason.

const API = 'https://api.oauth.test/';
const RESTRICTED = 'https://restricted.oauth.test/';
const OPS = 'https://ops.oauth.test/';
const CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

const oauthConfig = (u: string): Record<string, unknown> => ({
  oauth: {
    resources: [{ uri: API }, { uri: RESTRICTED, agents: { names: ['insider'] } }, { uri: OPS, agents: { labels: ['ops'] } }],
    defaultResource: API,
    rateLimit: { rate: 10_000, burst: 10_000 },
  },
  routes: [
    { id: 'api', path: '/api/*', upstream: u, resource: API, accept: ['jwt'] },
    { id: 'restricted', path: '/restricted/*', upstream: u, resource: RESTRICTED, accept: ['jwt'] },
  ],
  policies: { rules: [{ id: 'read', methods: ['GET'], paths: ['/api/*', '/restricted/*'], agents: { scopes: ['read'] } }] },
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const nowS = (): number => Math.floor(Date.now() / 1000);
const body = async (res: Response): Promise<Record<string, string>> => {
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, string>;
};

/** Agents of the table, their secrets and (for private_key_jwt) their keys. */
interface Kit {
  h: Harness;
  secret: Record<string, string>;
  keys: Record<string, { privateKey: CryptoKey; jwk: JWK; kid: string }>;
  tokenEndpoint: string;
  /** Token for `name` via client_credentials with its secret (Basic). */
  token(name: string, form?: Record<string, string>): Promise<string>;
  /** RFC 8693 exchange: `actor` (Basic) acts for the subject token. */
  exchange(actor: string, subjectToken: string, form?: Record<string, string>): Promise<Response>;
  /** A private_key_jwt assertion for `name` (signed with its registered key unless `key` says otherwise). */
  assertion(name: string, claims?: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey | Uint8Array): Promise<string>;
  withAssertion(assertion: string, form?: Record<string, string>): Promise<Response>;
}

interface Row {
  case: number;
  name: string;
  /** Does whatever must happen first (it may use the token endpoint), then returns the attack. */
  prepare: (k: Kit) => Promise<() => Promise<Response>>;
  status: number;
  error: string;
  reason: string;
}

const attack = (f: (k: Kit) => Promise<Response>) => async (k: Kit): Promise<() => Promise<Response>> => () => f(k);
const basic = (k: Kit, name: string): Record<string, string> => ({ authorization: basicAuth(name, k.secret[name]!) });
const cc = (extra: Record<string, string> = {}): Record<string, string> => ({ grant_type: 'client_credentials', ...extra });
const clientError = { status: 401, error: 'invalid_client', reason: 'client_auth_failed' };
const targetError = { status: 400, error: 'invalid_target', reason: 'target_invalid' };
const grantTypeError = { status: 400, error: 'unsupported_grant_type', reason: 'grant_unsupported' };
const requestError = { status: 400, error: 'invalid_request', reason: 'oauth_request_invalid' };
const scopeError = { status: 400, error: 'invalid_scope', reason: 'scope_invalid' };

/** alice's token (subject, scope read) and bob (actor) exchanging it with `form`. */
const exchangeAttack = (form: (subject: JWTPayload) => Record<string, string>, actor = 'bob', subjectScope = 'read') => async (k: Kit) => {
  const subject = await k.token('alice', { scope: subjectScope });
  return () => k.exchange(actor, subject, form(decodeJwt(subject)));
};

const rows: Row[] = [
  // 16. Audience restriction (RFC 8707).
  { case: 16, name: 'a resource reserved for other agents (agents.names)', prepare: attack((k) => tokenRequest(k.h, cc({ resource: RESTRICTED }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'a resource reserved for a label the agent lacks', prepare: attack((k) => tokenRequest(k.h, cc({ resource: OPS }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'an unknown resource', prepare: attack((k) => tokenRequest(k.h, cc({ resource: 'https://evil.example/' }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'the reserved resource without its trailing slash', prepare: attack((k) => tokenRequest(k.h, cc({ resource: RESTRICTED.slice(0, -1) }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'the reserved resource in upper case', prepare: attack((k) => tokenRequest(k.h, cc({ resource: RESTRICTED.toUpperCase() }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'a relative resource', prepare: attack((k) => tokenRequest(k.h, cc({ resource: 'restricted' }), basic(k, 'outsider'))), ...targetError },
  { case: 16, name: 'two resources, one of them reserved', prepare: attack((k) => k.h.request('/oauth/token', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(k, 'outsider') },
    body: `grant_type=client_credentials&resource=${encodeURIComponent(API)}&resource=${encodeURIComponent(RESTRICTED)}`,
  })), ...requestError },
  { case: 16, name: 'token exchange: an insider\'s token as subject does not open the reserved resource to the actor', prepare: async (k) => {
    const subject = await k.token('insider', { resource: RESTRICTED });
    return () => k.exchange('outsider', subject, { resource: RESTRICTED });
  }, ...targetError },
  // 17. Client authentication.
  { case: 17, name: 'client_secret_post by an agent registered for client_secret_basic only', prepare: attack((k) => tokenRequest(k.h, cc({ client_id: 'basic-only', client_secret: k.secret['basic-only']! }))), ...clientError },
  { case: 17, name: 'client_secret_basic by an agent registered for client_secret_post only', prepare: attack((k) => tokenRequest(k.h, cc(), basic(k, 'post-only'))), ...clientError },
  { case: 17, name: 'a client secret of an agent since switched to private_key_jwt only', prepare: attack((k) => tokenRequest(k.h, cc(), basic(k, 'demoted'))), ...clientError },
  { case: 17, name: 'a valid private_key_jwt by an agent registered for client_secret_basic only', prepare: attack(async (k) => k.withAssertion(await k.assertion('keyed-basic'))), ...clientError },
  { case: 17, name: 'wrong client secret', prepare: attack((k) => tokenRequest(k.h, cc(), { authorization: basicAuth('basic-only', `${k.secret['basic-only']!}x`) })), ...clientError },
  { case: 17, name: 'Basic for one client, client_id of another in the form', prepare: attack((k) => tokenRequest(k.h, cc({ client_id: 'insider' }), basic(k, 'basic-only'))), ...clientError },
  { case: 17, name: 'assertion with alg none', prepare: attack(async (k) => k.withAssertion(compact({ alg: 'none' }, decodeJwt(await k.assertion('pkj'))))), ...clientError },
  { case: 17, name: 'assertion with alg NONE and our kid', prepare: attack(async (k) => k.withAssertion(compact({ alg: 'NONE', kid: 'k1' }, decodeJwt(await k.assertion('pkj'))))), ...clientError },
  { case: 17, name: 'assertion HS256 keyed with the agent\'s registered public JWK', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', {}, { alg: 'HS256' }, bytes(JSON.stringify(k.keys.pkj!.jwk))))), ...clientError },
  { case: 17, name: 'assertion HS256 keyed with the agent\'s public key PEM', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', {}, { alg: 'HS256' }, bytes(await exportSPKI(await importPublic(k.keys.pkj!.jwk)))))), ...clientError },
  { case: 17, name: 'assertion HS256 keyed with the client secret (client_secret_jwt is not offered)', prepare: attack(async (k) => k.withAssertion(await k.assertion('basic-only', {}, { alg: 'HS256', kid: undefined }, bytes(k.secret['basic-only']!)))), ...clientError },
  { case: 17, name: 'replayed assertion (the same bytes a second time)', prepare: async (k) => {
    const a = await k.assertion('pkj');
    await body(await k.withAssertion(a));
    return () => k.withAssertion(a);
  }, ...clientError },
  { case: 17, name: 'a new assertion reusing a spent jti', prepare: async (k) => {
    const jti = randomUUID();
    await body(await k.withAssertion(await k.assertion('pkj', { jti })));
    const again = await k.assertion('pkj', { jti, iat: nowS() + 1 });
    return () => k.withAssertion(again);
  }, ...clientError },
  { case: 17, name: 'assertion aud = another server\'s token endpoint', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { aud: 'https://evil.example/oauth/token' }))), ...clientError },
  { case: 17, name: 'assertion aud = a resource', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { aud: API }))), ...clientError },
  { case: 17, name: 'assertion aud = our introspection endpoint', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { aud: k.tokenEndpoint.replace(/token$/, 'introspect') }))), ...clientError },
  { case: 17, name: 'assertion without aud', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { aud: undefined }))), ...clientError },
  { case: 17, name: 'assertion expiring beyond maxAssertionLifetimeSeconds', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { exp: nowS() + 3600 }))), ...clientError },
  { case: 17, name: 'expired assertion', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { iat: nowS() - 600, exp: nowS() - 120 }))), ...clientError },
  { case: 17, name: 'assertion with iss ≠ sub', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', { iss: 'insider' }))), ...clientError },
  { case: 17, name: 'assertion for pkj signed with another agent\'s key under pkj\'s kid', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', {}, {}, k.keys['keyed-basic']!.privateKey))), ...clientError },
  { case: 17, name: 'assertion carrying the attacker key in `jwk`', prepare: attack(async (k) => k.withAssertion(await k.assertion('pkj', {}, { jwk: k.keys['keyed-basic']!.jwk }, k.keys['keyed-basic']!.privateKey))), ...clientError },
  { case: 17, name: 'an access token presented as the client assertion', prepare: attack(async (k) => k.withAssertion(await k.token('pkj-token-holder'))), ...clientError },
  { case: 17, name: 'two client authentication methods at once', prepare: attack((k) => tokenRequest(k.h, cc({ client_id: 'basic-only', client_secret: k.secret['basic-only']! }), basic(k, 'basic-only'))), ...requestError },
  // 18. Grants and response types that are not offered.
  { case: 18, name: 'grant_type=password by an authenticated client', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'password', username: 'admin', password: 'admin' }, basic(k, 'outsider'))), ...grantTypeError },
  { case: 18, name: 'grant_type=password, no client', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'password', username: 'admin', password: 'admin' })), ...grantTypeError },
  { case: 18, name: 'grant_type=PASSWORD', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'PASSWORD', username: 'admin', password: 'admin' }, basic(k, 'outsider'))), ...grantTypeError },
  { case: 18, name: 'grant_type=implicit', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'implicit' }, basic(k, 'outsider'))), ...grantTypeError },
  { case: 18, name: 'grant_type=refresh_token', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'refresh_token', refresh_token: 'x' }, basic(k, 'outsider'))), ...grantTypeError },
  { case: 18, name: 'grant_type "client_credentials " (trailing space)', prepare: attack((k) => tokenRequest(k.h, { grant_type: 'client_credentials ' }, basic(k, 'outsider'))), ...grantTypeError },
  { case: 18, name: 'GET /oauth/authorize?response_type=token', prepare: attack((k) => k.h.request(`/oauth/authorize?response_type=token&client_id=outsider&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`, { redirect: 'manual' })), status: 400, error: 'unsupported_response_type', reason: 'grant_unsupported' },
  { case: 18, name: 'GET /oauth/authorize?response_type=code', prepare: attack((k) => k.h.request(`/oauth/authorize?response_type=code&client_id=outsider&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`, { redirect: 'manual' })), status: 400, error: 'unsupported_response_type', reason: 'grant_unsupported' },
  { case: 18, name: 'POST /oauth/authorize response_type=id_token token', prepare: attack((k) => k.h.request('/oauth/authorize', { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'response_type=id_token+token&client_id=outsider' })), status: 400, error: 'unsupported_response_type', reason: 'grant_unsupported' },
  // 20. Token exchange never widens.
  { case: 20, name: 'scope wider than the subject token', prepare: exchangeAttack(() => ({ scope: 'read write' })), ...scopeError },
  { case: 20, name: 'a scope the actor holds but the subject token does not', prepare: exchangeAttack(() => ({ scope: 'admin' })), ...scopeError },
  { case: 20, name: 'a scope the subject token holds but the actor does not', prepare: exchangeAttack(() => ({ scope: 'write' }), 'narrow', 'read write'), ...scopeError },
  { case: 20, name: 'expires_in one hour (the subject token lives 5 minutes)', prepare: exchangeAttack(() => ({ expires_in: '3600' })), ...requestError },
  { case: 20, name: 'expires_in just beyond the subject token\'s remaining life', prepare: exchangeAttack((s) => ({ expires_in: String(s.exp! - nowS() + 2) })), ...requestError },
  { case: 20, name: 'expires_in 0', prepare: exchangeAttack(() => ({ expires_in: '0' })), ...requestError },
  { case: 20, name: 'expires_in -60', prepare: exchangeAttack(() => ({ expires_in: '-60' })), ...requestError },
  { case: 20, name: 'expires_in 1e3', prepare: exchangeAttack(() => ({ expires_in: '1e3' })), ...requestError },
  { case: 20, name: 'a chain one deeper than oauth.maxDelegationDepth (3)', prepare: async (k) => {
    let token = await k.token('alice', { scope: 'read' });
    for (const actor of ['bob', 'carol', 'dave']) token = (await body(await k.exchange(actor, token))).access_token!;
    assert.equal(chainDepth(decodeJwt(token)), 3);
    return () => k.exchange('erin', token);
  }, ...requestError },
  { case: 20, name: 'the actor exchanging its own delegated token again to go deeper', prepare: async (k) => {
    let token = await k.token('alice', { scope: 'read' });
    for (let i = 0; i < 3; i++) token = (await body(await k.exchange('bob', token))).access_token!;
    return () => k.exchange('bob', token);
  }, ...requestError },
];

const importPublic = async (jwk: JWK): Promise<CryptoKey> => (await importJWK(jwk, 'ES256')) as CryptoKey;
const chainDepth = (p: JWTPayload): number => {
  let n = 0;
  for (let a = p.act as { act?: unknown } | undefined; a !== undefined; a = a.act as { act?: unknown } | undefined) n += 1;
  return n;
};

describe('token service attacks (cases 16, 17, 18, 20)', () => {
  let h: Harness;
  let kit: Kit;
  before(async () => {
    h = await startHarness((u) => ({ ...attackConfig(u), ...oauthConfig(u) }));
    const secret: Record<string, string> = {};
    const keys: Kit['keys'] = {};
    const agent = async (name: string, scopes: string[], methods: ('client_secret_basic' | 'client_secret_post' | 'private_key_jwt')[], labels: string[] = []): Promise<void> => {
      await h.core.agents.create({ name, scopes, labels, authMethods: methods }, 'test');
      if (methods.some((m) => m !== 'private_key_jwt')) secret[name] = (await h.core.oauth.secrets.issue(name, {}, 'test')).secret;
    };
    const key = async (name: string): Promise<void> => {
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(publicKey);
      await h.core.oauth.agentKeys.add(name, { ...jwk }, { alg: 'ES256', kid: 'k1' }, 'test');
      keys[name] = { privateKey, jwk, kid: 'k1' };
    };
    await agent('outsider', ['read', 'write'], ['client_secret_basic']);
    await agent('insider', ['read'], ['client_secret_basic']);
    await agent('basic-only', ['read'], ['client_secret_basic']);
    await agent('post-only', ['read'], ['client_secret_post']);
    await agent('pkj', ['read'], ['private_key_jwt']);
    await key('pkj');
    await agent('keyed-basic', ['read'], ['client_secret_basic']); // has a registered key, but may not use it
    await key('keyed-basic');
    await agent('demoted', ['read'], ['client_secret_basic']);
    await h.core.agents.setAuthMethods('demoted', ['private_key_jwt'], 'test');
    await agent('pkj-token-holder', ['read'], ['client_secret_basic']);
    await agent('alice', ['read', 'write'], ['client_secret_basic']);
    await agent('bob', ['read', 'write', 'admin'], ['client_secret_basic']);
    for (const name of ['carol', 'dave', 'erin']) await agent(name, ['read', 'write'], ['client_secret_basic']);
    await agent('narrow', ['read'], ['client_secret_basic']);
    const tokenEndpoint = `${h.gw.dataUrl}/oauth/token`;
    kit = {
      h, secret, keys, tokenEndpoint,
      token: async (name, form = {}) => (await body(await tokenRequest(h, cc(form), { authorization: basicAuth(name, secret[name]!) }))).access_token!,
      exchange: (actor, subjectToken, form = {}) => tokenRequest(h, { grant_type: EXCHANGE, subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, ...form }, { authorization: basicAuth(actor, secret[actor]!) }),
      assertion: (name, claims = {}, header = {}, signWith) => {
        const payload = Object.fromEntries(Object.entries({ iss: name, sub: name, aud: tokenEndpoint, jti: randomUUID(), iat: nowS(), exp: nowS() + 60, ...claims }).filter(([, v]) => v !== undefined));
        const protectedHeader = Object.fromEntries(Object.entries({ alg: 'ES256', kid: 'k1', ...header }).filter(([, v]) => v !== undefined));
        return new CompactSign(bytes(JSON.stringify(payload))).setProtectedHeader(protectedHeader as never).sign(signWith ?? keys[name]!.privateKey);
      },
      withAssertion: (assertion, form = {}) => tokenRequest(h, cc({ client_assertion_type: CLIENT_ASSERTION, client_assertion: assertion, ...form })),
    };
  });
  after(() => h.close());

  it('control: each client authenticates with its registered method', async () => {
    await body(await tokenRequest(h, cc(), basic(kit, 'basic-only')));
    await body(await tokenRequest(h, cc({ client_id: 'post-only', client_secret: kit.secret['post-only']! })));
    await body(await kit.withAssertion(await kit.assertion('pkj')));
  });

  for (const row of rows) {
    it(`${row.case} ${row.name} → ${row.status} ${row.error}`, async () => {
      const run = await row.prepare(kit);
      const before = await snapshot(h);
      const res = await run();
      assert.equal(res.headers.get('location'), null, 'never a redirect');
      await assertOAuthRejected(h, before, res, row);
    });
  }

  it('16 a permitted resource: the issued aud is exactly that one resource, and the token opens nothing else', async () => {
    const insider = decodeJwt(await kit.token('insider', { resource: RESTRICTED }));
    assert.equal(insider.aud, RESTRICTED, 'a single string, not an array with the default added');
    const outsider = await kit.token('outsider');
    assert.equal(decodeJwt(outsider).aud, API);
    const token = await kit.token('insider', { resource: RESTRICTED });
    assert.equal((await h.request('/restricted/x', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const before = await snapshot(h);
    const res = await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } });
    await assertRejected(h, before, fromResponse(res), { status: 401, reason: 'token_wrong_audience' });
  });

  it('20 exchanged tokens are never wider than the subject token, the actor or the request', async () => {
    const subject = await kit.token('alice', { scope: 'read write' });
    const s = decodeJwt(subject);
    const issued: { by: string; payload: JWTPayload; expiresIn: number; scope: string }[] = [];
    const cases: [string, Record<string, string>][] = [['bob', {}], ['bob', { scope: 'read' }], ['narrow', {}], ['bob', { expires_in: '60' }], ['bob', { expires_in: String(s.exp! - nowS() - 5) }]];
    for (const [actor, form] of cases) {
      const b = await body(await kit.exchange(actor, subject, form));
      issued.push({ by: actor, payload: decodeJwt(b.access_token!), expiresIn: Number(b.expires_in), scope: b.scope! });
    }
    const held: Record<string, string[]> = { bob: ['read', 'write', 'admin'], narrow: ['read'] };
    for (const t of issued) {
      const scopes = (t.payload.scope as string).split(' ').filter(Boolean);
      assert.equal(t.scope, t.payload.scope);
      for (const sc of scopes) {
        assert.ok((s.scope as string).split(' ').includes(sc), `${sc} is in the subject token`);
        assert.ok(held[t.by]!.includes(sc), `${sc} is held by ${t.by}`);
      }
      assert.ok(t.payload.exp! <= s.exp!, 'never outlives the subject token');
      assert.equal(t.payload.exp! - t.payload.iat!, t.expiresIn);
      assert.equal(t.payload.aud, API);
      assert.equal(t.payload.sub, s.sub, 'the subject stays the subject');
      assert.deepEqual(t.payload.act, { sub: `spiffe://gatehouse.local/agent/${t.by}` });
    }
    assert.deepEqual(issued.map((t) => t.scope), ['read write', 'read', 'read', 'read write', 'read write']);
    assert.equal(issued[3]!.expiresIn, 60);
    // At the gateway the delegated call carries the narrowed scopes only.
    const narrowed = issued[2]!;
    const token = (await body(await kit.exchange('narrow', subject))).access_token!;
    assert.equal((await h.request('/api/x', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal(h.upstream.seen.at(-1)!.headers['x-gatehouse-scopes'], narrowed.scope);
  });
});

describe('client-secret brute force from one address (case 19, default limits)', () => {
  const ATTEMPTS = 200;
  let h: Harness;
  let secret: string;
  const results: { status: number; requestId: string | null; retryAfter: string | null; text: string }[] = [];
  let auditBefore = 0;
  let failuresBefore = 0;
  const authFailureCount = async (): Promise<number> => (await h.gw.metrics.authFailures.get()).values.reduce((n, v) => n + v.value, 0);

  before(async () => {
    h = await startHarness(oauthConfig); // no rateLimit override: the defaults are under test
    await h.core.agents.create({ name: 'victim', scopes: ['read'], authMethods: ['client_secret_basic'] }, 'test');
    secret = (await h.core.oauth.secrets.issue('victim', {}, 'test')).secret;
    auditBefore = (await h.requestAudit()).length;
    failuresBefore = await authFailureCount();
    for (let i = 0; i < ATTEMPTS; i++) {
      const res = await tokenRequest(h, cc(), { authorization: basicAuth('victim', `wrong-${i}-${randomUUID()}`) });
      results.push({ status: res.status, requestId: res.headers.get('x-gatehouse-request-id'), retryAfter: res.headers.get('retry-after'), text: await res.text() });
    }
  });
  after(() => h.close());

  it(`${ATTEMPTS} wrong secrets: invalid_client, then 429 from the lockout on, with no token ever issued`, () => {
    const statuses = results.map((r) => r.status);
    assert.equal(statuses[0], 401);
    assert.equal(JSON.parse(results[0]!.text).error, 'invalid_client');
    const first429 = statuses.indexOf(429);
    assert.ok(first429 > 0 && first429 <= 10, `lockout after the default 10 failures (first 429 at attempt ${first429 + 1})`);
    assert.deepEqual(new Set(statuses.slice(0, first429)), new Set([401]));
    assert.deepEqual(new Set(statuses.slice(first429)), new Set([429]), 'no attempt is checked while locked out');
    for (const r of results.slice(first429)) assert.ok(Number(r.retryAfter) > 0, 'Retry-After on every 429');
    for (const r of results) assert.doesNotMatch(r.text, /access_token|eyJ/);
  });

  it('every attempt left exactly one audit record, and nothing reached the upstream', async () => {
    const audit = await h.requestAudit();
    assert.equal(audit.length - auditBefore, ATTEMPTS, 'one record per attempt, none missing, none extra');
    for (const [i, r] of results.entries()) {
      assert.ok(r.requestId, `attempt ${i + 1} has a request id`);
      const mine = audit.filter((a) => a.requestId === r.requestId);
      assert.equal(mine.length, 1, `attempt ${i + 1}`);
      assert.equal(mine[0]!.decision, 'deny');
      assert.equal(mine[0]!.path, '/oauth/token');
    }
    assert.equal(h.upstream.seen.length, 0);
  });

  it('each record says why: a failed client authentication, or the lockout that refused the attempt unchecked', async () => {
    const audit = await h.requestAudit();
    for (const [i, r] of results.entries()) {
      const rec = audit.find((a) => a.requestId === r.requestId)!;
      if (r.status === 401) assert.ok(rec.reasons.includes('client_auth_failed'), `attempt ${i + 1}: ${JSON.stringify(rec.reasons)}`);
      // These attempts' credentials were never checked: the record must not count them as failed authentications.
      else assert.ok(rec.reasons.includes('address_locked_out') || rec.reasons.includes('rate_limited'), `attempt ${i + 1} (${r.status}): ${JSON.stringify(rec.reasons)}`);
    }
  });

  it('the failures raise the authentication-failure signal (metric)', async () => {
    const failed = results.filter((r) => r.status === 401).length;
    assert.ok(await authFailureCount() - failuresBefore >= failed, `gatehouse auth-failure metric grew by ${await authFailureCount() - failuresBefore}, ${failed} client authentications failed`);
  });

  it('the lockout holds for the right secret from that address', async () => {
    const before = await snapshot(h);
    const res = await tokenRequest(h, cc(), { authorization: basicAuth('victim', secret) });
    assert.equal(res.status, 429);
    assert.doesNotMatch(await res.text(), /access_token/);
    // Either refusal is right here (the endpoint's own per-address bucket may be empty after the flood).
    const rec = (await h.requestAudit()).find((a) => a.requestId === res.headers.get('x-gatehouse-request-id'));
    const why = rec?.reasons.includes('rate_limited') ? 'rate_limited' : 'address_locked_out';
    await assertRejected(h, before, fromResponse(res), { status: 429, reason: why });
  });

  it('the same client from another source address is not locked out (the lockout is per address)', async () => {
    const dispatcher = new UndiciAgent({ localAddress: '127.0.0.2' });
    try {
      const other = await undiciFetch(`${h.gw.dataUrl}/oauth/token`, {
        method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth('victim', secret) }, body: 'grant_type=client_credentials',
      });
      assert.equal(other.status, 200, await other.clone().text());
      assert.ok(((await other.json()) as { access_token?: string }).access_token);
    } finally {
      await dispatcher.close();
    }
  });
});
