import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/clock.ts';
import { Secret } from '../core/secret.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { KeyEncryption } from './key-encryption.ts';
import { KeyRing } from './signing-keys.ts';

const HOUR = 3_600_000;
const RETAIN = 330_000; // 300 s tokens + 30 s skew

describe('KeyRing: rotation lifecycle on a manual clock', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  const ring = (over: Partial<ConstructorParameters<typeof KeyRing>[0]> = {}): KeyRing =>
    new KeyRing({ store, clock, encryption: new KeyEncryption(new Secret('m'.repeat(43))), alg: 'ES256', rotationMs: 24 * HOUR, retainMs: RETAIN, refreshMs: 10_000, ...over });

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.migrate();
    clock = new ManualClock();
  });
  afterEach(() => store.close());

  it('first start creates an active key and a published next key', async () => {
    const r = ring();
    await r.start({ timer: false });
    const states = r.describe().map((k) => k.state).sort();
    assert.deepEqual(states, ['active', 'next']);
    assert.equal(r.jwks().keys.length, 2);
    assert.equal(r.signingKey().kid, r.describe().find((k) => k.state === 'active')!.kid);
  });

  it('tick rotates only once the period has passed; the retired key stays published until its tokens expire', async () => {
    const r = ring();
    await r.start({ timer: false });
    const first = r.signingKey().kid;
    const next = r.describe().find((k) => k.state === 'next')!.kid;
    clock.advance(24 * HOUR - 1);
    await r.tick();
    assert.equal(r.signingKey().kid, first, 'not yet due');
    clock.advance(1);
    await r.tick();
    assert.equal(r.signingKey().kid, next, 'the pre-published key signs now');
    assert.ok(await r.verificationKey(first, 'ES256'), 'the retired key still verifies');
    clock.advance(RETAIN + 10_000 - 1);
    await r.tick();
    assert.ok(await r.verificationKey(first, 'ES256'), 'until its last token has expired');
    clock.advance(1);
    await r.tick();
    assert.equal(await r.verificationKey(first, 'ES256'), undefined, 'then it is gone from the JWKS');
    assert.ok(!r.jwks().keys.some((k) => k.kid === first));
  });

  it('pins the algorithm per kid: the right kid with another alg gives no key', async () => {
    const r = ring();
    await r.start({ timer: false });
    const kid = r.signingKey().kid;
    assert.ok(await r.verificationKey(kid, 'ES256'));
    for (const alg of ['HS256', 'none', 'RS256', 'EdDSA', 'ES384']) assert.equal(await r.verificationKey(kid, alg), undefined, alg);
  });

  it('two instances racing to rotate: one rotation happens, both end up on the same key', async () => {
    const a = ring();
    await a.start({ timer: false });
    const b = ring();
    await b.start({ timer: false });
    assert.equal(b.signingKey().kid, a.signingKey().kid, 'the second instance found the first one\'s keys');
    const results = await Promise.all([a.rotate(), b.rotate()]);
    assert.deepEqual(results.sort(), [false, true]);
    await a.reload();
    await b.reload();
    assert.equal(a.signingKey().kid, b.signingKey().kid);
    assert.equal(a.describe().filter((k) => k.state === 'active').length, 1);
  });

  it('unknown kids: at most one store read per cooldown, however many arrive', async () => {
    const r = ring({ unknownKidCooldownMs: 5_000 });
    await r.start({ timer: false });
    let reads = 0;
    const list = store.listSigningKeys.bind(store);
    store.listSigningKeys = async () => {
      reads += 1;
      return list();
    };
    for (let i = 0; i < 500; i++) assert.equal(await r.verificationKey(`random-${i}`, 'ES256'), undefined);
    assert.equal(reads, 1);
    clock.advance(5_000);
    await r.verificationKey('another', 'ES256');
    assert.equal(reads, 2);
  });

  it('a wrong master key cannot load the keys (encrypted at rest)', async () => {
    await ring().start({ timer: false });
    const other = new KeyRing({ store, clock, encryption: new KeyEncryption(new Secret('x'.repeat(43))), alg: 'ES256', rotationMs: HOUR, retainMs: RETAIN });
    await assert.rejects(other.start({ timer: false }), /cannot be decrypted/);
    const rows = await store.listSigningKeys();
    for (const k of rows) assert.ok(!k.privateEnc.includes('"d"'), 'no plaintext private key in the store');
  });
});
