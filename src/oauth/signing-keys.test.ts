import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompactSign } from 'jose';
import { ManualClock } from '../core/clock.ts';
import { Secret } from '../core/secret.ts';
import { AgentService } from '../identity/agent-service.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { AccessTokenVerifier } from './access-token-verifier.ts';
import { KeyEncryption } from './key-encryption.ts';
import { KeyRing } from './signing-keys.ts';
import { TokenMinter } from './token-minter.ts';

// SECURITY-CASES 14 at the verifier, on a manual clock: key-ring lifecycle alone is in
// key-ring.test.ts; here a token's acceptance follows its key's publication, cache included.

const ISSUER = 'https://gatehouse.test';
const AUD = 'https://api.test/';
const TTL_S = 300;
const SKEW_S = 30;
const REFRESH_MS = 10_000;

describe('access tokens across a signing-key rotation (case 14)', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let ring: KeyRing;
  let minter: TokenMinter;
  let verifier: AccessTokenVerifier;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.migrate();
    clock = new ManualClock();
    ring = new KeyRing({ store, clock, encryption: new KeyEncryption(new Secret('m'.repeat(43))), alg: 'ES256', rotationMs: 24 * 3_600_000, retainMs: (TTL_S + SKEW_S) * 1000, refreshMs: REFRESH_MS });
    await ring.start({ timer: false });
    minter = new TokenMinter({ keys: ring, issuer: () => ISSUER, clock });
    const agents = new AgentService({ store, clock, trustDomain: 'gatehouse.local' });
    verifier = new AccessTokenVerifier({ keys: ring, store, agents, issuer: () => ISSUER, clock, skewSeconds: SKEW_S, trustDomain: 'gatehouse.local' });
    await agents.create({ name: 'rotor', scopes: ['read'] }, 'test');
  });
  afterEach(() => store.close());

  const mint = async (): Promise<string> => (await minter.accessToken({ sub: 'spiffe://gatehouse.local/agent/rotor', clientId: 'rotor', aud: AUD, scopes: ['read'], ttlSeconds: TTL_S })).token;
  let forged = 0;
  /** What a holder of the key's private half can make: a token living far beyond the key's grace. */
  const forgeLongLived = (key: ReturnType<KeyRing['signingKey']>): Promise<string> => {
    const now = Math.floor(clock.now() / 1000);
    const claims = { iss: ISSUER, sub: 'spiffe://gatehouse.local/agent/rotor', aud: AUD, scope: 'read', client_id: 'rotor', jti: `tok_long_${++forged}`, iat: now, nbf: now, exp: now + 86_400 };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
  };
  const verdict = async (token: string): Promise<string> => {
    const v = await verifier.verify(token, AUD);
    return v.ok ? 'ok' : v.reason;
  };

  it('a token signed just before the rotation is accepted for its whole life: the key outlives it', async () => {
    const token = await mint();
    const exp = Math.floor(clock.now() / 1000) + TTL_S;
    await ring.rotate();
    assert.equal(await verdict(token), 'ok');
    clock.set((exp + SKEW_S) * 1000 - 1); // the last moment the token is valid (with skew)
    assert.equal(await verdict(token), 'ok', 'no request fails because of the rotation');
    clock.advance(1);
    assert.equal(await verdict(token), 'token_expired');
  });

  it('the next key is published a whole period before it signs, and verifies as soon as it does', async () => {
    const next = ring.describe().find((k) => k.state === 'next')!;
    assert.ok(ring.jwks().keys.some((k) => k.kid === next.kid));
    await ring.rotate();
    const token = await mint();
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid, next.kid);
    assert.equal(await verdict(token), 'ok');
  });

  it('once the retired key has expired its tokens are refused, even one verified (and cached) during the grace period', async () => {
    const old = ring.signingKey();
    const seen = await forgeLongLived(old);
    const unseen = await forgeLongLived(old);
    await ring.rotate();
    const retired = ring.describe().find((k) => k.kid === old.kid)!;
    assert.equal(retired.expiresAt, clock.now() + (TTL_S + SKEW_S) * 1000 + REFRESH_MS);
    assert.equal(await verdict(seen), 'ok', 'within the grace period');
    clock.set(retired.expiresAt!);
    assert.equal(ring.jwks().keys.some((k) => k.kid === old.kid), false, 'no longer published');
    assert.equal(await verdict(unseen), 'token_invalid');
    assert.equal(await verdict(seen), 'token_invalid', 'a cached verification must not outlive the key');
  });
});
