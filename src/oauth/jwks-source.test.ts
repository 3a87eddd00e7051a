import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { errors, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ManualClock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { SafeFetcher } from '../net/safe-fetch.ts';
import { JwksSource } from './jwks-source.ts';

interface Pair { kid: string; alg: string; privateKey: CryptoKey; jwk: JWK }

async function pair(kid: string, alg = 'ES256', extra: Partial<JWK> = {}): Promise<Pair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, ...extra } };
}

const sign = (p: Pair, claims: Record<string, unknown> = { sub: 'ci-job' }, header: Record<string, unknown> = { kid: p.kid }): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: p.alg, ...header }).setIssuer('https://ci.example.com').setIssuedAt().setExpirationTime('5m').sign(p.privateKey);

const isJose = (ctor: new (...a: never[]) => Error) => (err: unknown): boolean => {
  assert.ok(err instanceof ctor, `expected ${ctor.name}, got ${String(err)}`);
  return true;
};
const isUnavailable = (err: unknown): boolean => {
  assert.ok(err instanceof GatehouseError, String(err));
  assert.equal(err.code, 'jwks_unavailable');
  assert.equal(err.status, 503);
  return true;
};

/** A remote JWKS whose contents and health the test controls, counting fetches. */
function remote(keys: JWK[]) {
  const r = { keys, fetches: 0, fail: false as boolean | string, doc: undefined as unknown };
  const fetchJson = async (url: string): Promise<unknown> => {
    assert.equal(url, 'https://ci.example.com/.well-known/jwks');
    r.fetches++;
    if (r.fail) throw new GatehouseError('outbound_failed', 502, typeof r.fail === 'string' ? r.fail : 'HTTP 500');
    return r.doc ?? { keys: r.keys };
  };
  return { r, fetchJson };
}

const TTL = 600_000;
const COOLDOWN = 30_000;

function remoteSource(fetchJson: (url: string) => Promise<unknown>, clock: ManualClock, allowedAlgs = ['ES256']): JwksSource {
  return new JwksSource({ url: 'https://ci.example.com/.well-known/jwks', fetcher: fetchJson, allowedAlgs, now: () => clock.now(), cacheTtlMs: TTL, cooldownMs: COOLDOWN });
}

let a: Pair, b: Pair, rsa: Pair, ed: Pair;
before(async () => {
  [a, b, rsa, ed] = await Promise.all([pair('a'), pair('b'), pair('r', 'RS256'), pair('e', 'EdDSA')]);
});

describe('JwksSource: static set', () => {
  it('verifies jose-signed tokens through jwtVerify (ES256, RS256, EdDSA)', async () => {
    const source = new JwksSource({ jwks: { keys: [a.jwk, b.jwk, rsa.jwk, ed.jwk] }, allowedAlgs: ['ES256', 'RS256', 'EdDSA'] });
    for (const p of [a, b, rsa, ed]) {
      const { payload, protectedHeader } = await jwtVerify(await sign(p), source.getKey.bind(source), { issuer: 'https://ci.example.com' });
      assert.equal(payload.sub, 'ci-job');
      assert.equal(protectedHeader.kid, p.kid);
    }
  });

  it('selects by exact kid: another key under the same kid fails the signature check', async () => {
    const source = new JwksSource({ jwks: { keys: [a.jwk, b.jwk] }, allowedAlgs: ['ES256'] });
    await assert.rejects(jwtVerify(await sign(b, {}, { kid: 'a' }), source.getKey.bind(source)), isJose(errors.JWSSignatureVerificationFailed));
    for (const kid of ['c', 'A', 'a ', '', 'x'.repeat(257)]) await assert.rejects(source.getKey({ alg: 'ES256', kid }), isJose(errors.JWKSNoMatchingKey));
  });

  it('without a kid accepts only a single candidate', async () => {
    const two = new JwksSource({ jwks: { keys: [a.jwk, b.jwk] }, allowedAlgs: ['ES256'] });
    await assert.rejects(two.getKey({ alg: 'ES256' }), isJose(errors.JWKSMultipleMatchingKeys));
    // b is an encryption key, rsa another type: a is the only candidate for ES256
    const one = new JwksSource({ jwks: { keys: [a.jwk, { ...b.jwk, use: 'enc' }, rsa.jwk] }, allowedAlgs: ['ES256', 'RS256'] });
    const { payload } = await jwtVerify(await sign(a, { sub: 'x' }, {}), one.getKey.bind(one));
    assert.equal(payload.sub, 'x');
  });

  it('pins algorithms: header alg must be allowed, the key must fit it', async () => {
    const source = new JwksSource({
      jwks: { keys: [a.jwk, { ...b.jwk, alg: 'ES384' }, { ...rsa.jwk, key_ops: ['encrypt'] }] },
      allowedAlgs: ['ES256', 'ES384', 'PS256'],
    });
    for (const alg of ['RS256', 'none', 'HS256', 'ES512', undefined]) await assert.rejects(source.getKey({ alg, kid: 'a' } as { alg?: string; kid: string }), isJose(errors.JOSEAlgNotAllowed), String(alg));
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'b' }), isJose(errors.JWKSNoMatchingKey)); // key alg ES384
    await assert.rejects(source.getKey({ alg: 'ES384', kid: 'a' }), isJose(errors.JWKSNoMatchingKey)); // P-256 key, P-384 alg
    await assert.rejects(source.getKey({ alg: 'PS256', kid: 'r' }), isJose(errors.JWKSNoMatchingKey)); // key_ops lacks verify
    // An HS256 token signed with an RSA public key as HMAC secret (alg confusion) never gets a key.
    await assert.rejects(jwtVerify('eyJhbGciOiJIUzI1NiIsImtpZCI6ImEifQ.e30.c2ln', source.getKey.bind(source)), isJose(errors.JOSEAlgNotAllowed));
  });

  it('refuses none, HS* and unknown algorithms even when configured', () => {
    for (const alg of ['none', 'HS256', 'HS512', 'dir', 'RSA-OAEP', 'es256']) {
      assert.throws(() => new JwksSource({ jwks: { keys: [a.jwk] }, allowedAlgs: ['ES256', alg] }), (err: GatehouseError) => err.code === 'jwks_config_invalid' && err.message.includes(alg));
    }
    assert.throws(() => new JwksSource({ jwks: { keys: [] }, allowedAlgs: [] }), /allowedAlgs is empty/);
    assert.throws(() => new JwksSource({ allowedAlgs: ['ES256'] }), /exactly one of jwks or url/);
    assert.throws(() => new JwksSource({ url: 'https://x.example/jwks', allowedAlgs: ['ES256'] }), /needs a fetcher/);
  });

  it('rejects private and symmetric keys', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rsaPrivate = await exportJWK(privateKey);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      const key = { ...a.jwk, [member]: 'AAAA' };
      assert.throws(() => new JwksSource({ jwks: { keys: [key] }, allowedAlgs: ['ES256'] }), (err: GatehouseError) => err.code === 'jwks_config_invalid' && err.message.includes(`"${member}"`), member);
    }
    assert.throws(() => new JwksSource({ jwks: { keys: [rsaPrivate] }, allowedAlgs: ['RS256'] }), /private member "d"/);
    assert.throws(() => new JwksSource({ jwks: { keys: [{ kty: 'oct', kid: 's' }] }, allowedAlgs: ['ES256'] }), /symmetric \(oct\)/);
    assert.throws(() => new JwksSource({ jwks: { keys: ['nope'] } as never, allowedAlgs: ['ES256'] }), /keys\[0\] is not a JWK/);
  });
});

describe('JwksSource: remote set', () => {
  it('fetches once, then serves from cache until the TTL, then refreshes', async () => {
    const clock = new ManualClock();
    const { r, fetchJson } = remote([a.jwk]);
    // The first fetch stays in flight until every caller has arrived: they must all share it.
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = remoteSource(async (url) => (await gate, fetchJson(url)), clock);
    const first = Promise.all(Array.from({ length: 50 }, () => source.getKey({ alg: 'ES256', kid: 'a' })));
    release();
    await first;
    assert.equal(r.fetches, 1);
    clock.advance(TTL - 1);
    await source.getKey({ alg: 'ES256', kid: 'a' });
    assert.equal(r.fetches, 1);
    r.keys = [b.jwk]; // rotated: a is gone
    clock.advance(1);
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), isJose(errors.JWKSNoMatchingKey));
    assert.equal(r.fetches, 2);
    await source.getKey({ alg: 'ES256', kid: 'b' });
    assert.equal(r.fetches, 2);
  });

  it('refreshes on an unknown kid at most once per cooldown, however many kids arrive', async () => {
    const clock = new ManualClock();
    const { r, fetchJson } = remote([a.jwk]);
    const source = remoteSource(fetchJson, clock);
    await source.getKey({ alg: 'ES256', kid: 'a' });
    assert.equal(r.fetches, 1);
    // Right after a fetch, unknown kids do not refetch.
    await assert.rejects(source.getKey({ alg: 'ES256', kid: randomUUID() }), isJose(errors.JWKSNoMatchingKey));
    assert.equal(r.fetches, 1);
    clock.advance(COOLDOWN);
    const flood = await Promise.allSettled(Array.from({ length: 1000 }, () => source.getKey({ alg: 'ES256', kid: randomUUID() })));
    assert.ok(flood.every((o) => o.status === 'rejected' && o.reason instanceof errors.JWKSNoMatchingKey));
    for (let i = 0; i < 1000; i++) await source.getKey({ alg: 'ES256', kid: randomUUID() }).catch(() => {});
    clock.advance(COOLDOWN - 1);
    for (let i = 0; i < 100; i++) await source.getKey({ alg: 'ES256', kid: randomUUID() }).catch(() => {});
    assert.equal(r.fetches, 2);
    // A key rotated in is found after the cooldown by the kid that needs it.
    r.keys = [a.jwk, b.jwk];
    clock.advance(1);
    const { payload } = await jwtVerify(await sign(b), source.getKey.bind(source));
    assert.equal(payload.sub, 'ci-job');
    assert.equal(r.fetches, 3);
  });

  it('keeps serving the previous set while refreshes fail, until twice the TTL', async () => {
    const clock = new ManualClock();
    const { r, fetchJson } = remote([a.jwk]);
    const source = remoteSource(fetchJson, clock);
    await source.getKey({ alg: 'ES256', kid: 'a' });
    r.fail = 'HTTP 500';
    clock.advance(TTL);
    await source.getKey({ alg: 'ES256', kid: 'a' }); // stale, refresh failed
    assert.equal(r.fetches, 2);
    await source.getKey({ alg: 'ES256', kid: 'a' }); // failure is not retried within the cooldown
    assert.equal(r.fetches, 2);
    clock.advance(TTL - 1);
    await source.getKey({ alg: 'ES256', kid: 'a' });
    assert.equal(r.fetches, 3);
    clock.advance(1);
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), (err) => isUnavailable(err) && (err as Error).message.includes('HTTP 500'));
    assert.equal(r.fetches, 3); // the last failure was 1 ms ago: still cooling down
    r.fail = false;
    clock.advance(COOLDOWN);
    await source.getKey({ alg: 'ES256', kid: 'a' });
    assert.equal(r.fetches, 4);
  });

  it('reports an unobtainable first set as jwks_unavailable, without refetching within the cooldown', async () => {
    const clock = new ManualClock();
    const { r, fetchJson } = remote([a.jwk]);
    r.fail = 'outbound refused';
    const source = remoteSource(fetchJson, clock);
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), isUnavailable);
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), isUnavailable);
    assert.equal(r.fetches, 1);
  });

  it('treats a malformed or private-key set as a failed fetch', async () => {
    for (const doc of [{}, { keys: {} }, 'keys', { keys: [{ ...a.jwk, d: 'AAAA' }] }, { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }]) {
      const clock = new ManualClock();
      const { r, fetchJson } = remote([]);
      r.doc = doc;
      const source = remoteSource(fetchJson, clock);
      await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), isUnavailable, JSON.stringify(doc));
    }
  });

  it('never fetches for an oversized kid or a disallowed alg', async () => {
    const clock = new ManualClock();
    const { r, fetchJson } = remote([a.jwk]);
    const source = remoteSource(fetchJson, clock);
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'k'.repeat(257) }), isJose(errors.JWKSNoMatchingKey));
    await assert.rejects(source.getKey({ alg: 'HS256', kid: 'a' }), isJose(errors.JOSEAlgNotAllowed));
    assert.equal(r.fetches, 0);
  });
});

describe('JwksSource over SafeFetcher', () => {
  let fetcher: SafeFetcher;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: [a.jwk] })));
  before(async () => {
    fetcher = new SafeFetcher({ allowPrivateNetwork: true, timeoutMs: 2000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await fetcher.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('verifies a token against a JWKS served over HTTP', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const source = new JwksSource({ url, fetcher, allowedAlgs: ['ES256'] });
    const { payload } = await jwtVerify(await sign(a), source.getKey.bind(source), { issuer: 'https://ci.example.com', algorithms: ['ES256'] });
    assert.equal(payload.sub, 'ci-job');
  });

  it('a refused URL makes the set unavailable', async () => {
    const strict = new SafeFetcher({ allowPrivateNetwork: false });
    const source = new JwksSource({ url: 'http://169.254.169.254/jwks', fetcher: strict, allowedAlgs: ['ES256'] });
    await assert.rejects(source.getKey({ alg: 'ES256', kid: 'a' }), (err) => isUnavailable(err) && ((err as Error).cause as GatehouseError).code === 'outbound_refused');
    await strict.close();
  });
});
