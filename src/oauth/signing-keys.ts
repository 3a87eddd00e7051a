import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import type { SigningAlg, SigningKeyRecord } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { KeyEncryption } from './key-encryption.ts';

export interface KeyRingOptions {
  store: Store;
  encryption: KeyEncryption;
  clock: Clock;
  alg: SigningAlg;
  rotationMs: number;
  /** The longest lifetime of anything signed (tokens, identity assertions) plus clock skew: how long a retired key stays published. */
  retainMs: number;
  /** How often to re-read keys from the store (other instances or the CLI may rotate). */
  refreshMs?: number;
  /** Minimum time between refreshes forced by an unknown `kid` (a flood of random kids costs one read). */
  unknownKidCooldownMs?: number;
}

interface LoadedKey {
  record: SigningKeyRecord;
  publicKey: CryptoKey;
}

/**
 * Gatehouse's token-signing keys, stored encrypted in the store and shared by every instance.
 * Rotation keeps one `next` key published ahead of use: a rotation activates it (it has been in
 * the JWKS since the previous rotation), retires the active key (published until its last token
 * expires) and creates a new `next`. The store's compare-and-set makes a rotation happen once,
 * whichever instance (or the CLI) gets there first.
 */
export class KeyRing {
  readonly #o: Required<KeyRingOptions>;
  #keys = new Map<string, LoadedKey>();
  #active: { kid: string; alg: SigningAlg; privateKey: CryptoKey } | undefined;
  #loadedAt = -Infinity;
  #lastForced = -Infinity;
  #loading: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: KeyRingOptions) {
    this.#o = { refreshMs: 10_000, unknownKidCooldownMs: 5_000, ...opts };
  }

  /** Ensures an active and a next key exist, loads them, and starts the refresh/rotation timer. */
  async start(opts: { timer?: boolean } = {}): Promise<void> {
    await this.ensureKeys();
    if (opts.timer !== false) {
      this.#timer = setInterval(() => void this.tick().catch(() => undefined), Math.min(this.#o.refreshMs, this.#o.rotationMs / 4));
      this.#timer.unref();
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Periodic work: rotate when due, prune expired keys, reload. */
  async tick(): Promise<void> {
    const now = this.#o.clock.now();
    const active = this.#activeRecord();
    if (active && active.activatedAt !== null && now - active.activatedAt >= this.#o.rotationMs) await this.rotate();
    await this.#o.store.pruneSigningKeys(now);
    await this.reload();
  }

  /** Creates keys on a fresh store (first activation), racing safely with other instances. */
  async ensureKeys(): Promise<void> {
    await this.reload();
    if (this.#active) {
      if (this.#nextRecords().length === 0) await this.#o.store.insertSigningKey(await this.#newKey());
      await this.reload();
      return;
    }
    const first = await this.#newKey();
    await this.#o.store.insertSigningKey(first);
    const now = this.#o.clock.now();
    await this.#o.store.rotateSigningKeys({ retireKid: null, retireExpiresAt: now, activateKid: first.kid, next: await this.#newKey(), now });
    await this.reload(); // whoever won, there is now one active key
    if (!this.#active) throw new GatehouseError('signing_key_unavailable', 503, 'no active signing key after initialisation');
  }

  /**
   * Activates the oldest published `next` key now and publishes a new one. Returns false when
   * another instance rotated first (the keys are reloaded either way).
   */
  async rotate(): Promise<boolean> {
    await this.reload();
    const active = this.#activeRecord();
    let next = this.#nextRecords()[0];
    if (!next) {
      next = await this.#newKey();
      await this.#o.store.insertSigningKey(next);
    }
    const now = this.#o.clock.now();
    // Another instance may keep signing with the retired key until its next reload: cover that too.
    const retireExpiresAt = now + this.#o.retainMs + this.#o.refreshMs;
    const done = await this.#o.store.rotateSigningKeys({ retireKid: active?.kid ?? null, retireExpiresAt, activateKid: next.kid, next: await this.#newKey(), now });
    await this.reload();
    return done;
  }

  /** Re-reads keys from the store (shared by concurrent callers). */
  reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** The key to sign with now. Throws 503 when there is none (never signs with a stale key silently). */
  signingKey(): { kid: string; alg: SigningAlg; privateKey: CryptoKey } {
    if (!this.#active) throw new GatehouseError('signing_key_unavailable', 503, 'no active signing key');
    return this.#active;
  }

  /**
   * The public key for a token's `kid`, only if published and its algorithm equals the header's
   * (the algorithm is pinned per key). An unknown kid triggers at most one store read per cooldown.
   */
  async verificationKey(kid: string, alg: string): Promise<CryptoKey | undefined> {
    let found = this.#published(kid);
    const now = this.#o.clock.now();
    if (!found && now - this.#lastForced >= this.#o.unknownKidCooldownMs) {
      this.#lastForced = now;
      await this.reload();
      found = this.#published(kid);
    }
    if (!found || found.record.alg !== alg) return undefined;
    return found.publicKey;
  }

  /** Whether `kid` is still published (a retired key past its grace period is not). Synchronous: checked on every cached verification. */
  isPublished(kid: string): boolean {
    return this.#published(kid) !== undefined;
  }

  /** The JWKS document: every published key (next, active, retired-but-not-expired). */
  jwks(): { keys: JWK[] } {
    const now = this.#o.clock.now();
    return { keys: [...this.#keys.values()].filter((k) => isPublished(k.record, now)).map((k) => ({ ...k.record.publicJwk, kid: k.record.kid, alg: k.record.alg, use: 'sig' })) };
  }

  /** Key facts for `doctor` and the CLI (no key material). */
  describe(): Array<{ kid: string; alg: SigningAlg; state: 'next' | 'active' | 'retired'; createdAt: number; activatedAt: number | null; expiresAt: number | null }> {
    return [...this.#keys.values()].map(({ record: r }) => ({ kid: r.kid, alg: r.alg, state: stateOf(r), createdAt: r.createdAt, activatedAt: r.activatedAt, expiresAt: r.expiresAt }));
  }

  #published(kid: string): LoadedKey | undefined {
    const k = this.#keys.get(kid);
    return k && isPublished(k.record, this.#o.clock.now()) ? k : undefined;
  }

  #activeRecord(): SigningKeyRecord | undefined {
    return [...this.#keys.values()].map((k) => k.record).find((r) => stateOf(r) === 'active');
  }

  #nextRecords(): SigningKeyRecord[] {
    return [...this.#keys.values()].map((k) => k.record).filter((r) => stateOf(r) === 'next').sort((a, b) => a.createdAt - b.createdAt);
  }

  async #load(): Promise<void> {
    const records = await this.#o.store.listSigningKeys();
    const keys = new Map<string, LoadedKey>();
    for (const record of records) {
      const known = this.#keys.get(record.kid);
      const publicKey = known?.publicKey ?? ((await importJWK(record.publicJwk as JWK, record.alg)) as CryptoKey);
      keys.set(record.kid, { record, publicKey });
    }
    const active = records.filter((r) => stateOf(r) === 'active').sort((a, b) => (b.activatedAt ?? 0) - (a.activatedAt ?? 0))[0];
    if (active && active.kid !== this.#active?.kid) {
      const jwk = JSON.parse(await this.#o.encryption.decrypt(active.kid, active.privateEnc)) as JWK;
      this.#active = { kid: active.kid, alg: active.alg, privateKey: (await importJWK(jwk, active.alg)) as CryptoKey };
    } else if (!active) {
      this.#active = undefined;
    }
    this.#keys = keys;
    this.#loadedAt = this.#o.clock.now();
  }

  get loadedAt(): number {
    return this.#loadedAt;
  }

  async #newKey(): Promise<SigningKeyRecord> {
    const alg = this.#o.alg;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    return {
      kid, alg, publicJwk: { ...publicJwk }, privateEnc: await this.#o.encryption.encrypt(kid, JSON.stringify(privateJwk)),
      createdAt: this.#o.clock.now(), activatedAt: null, retiredAt: null, expiresAt: null,
    };
  }
}

function stateOf(r: SigningKeyRecord): 'next' | 'active' | 'retired' {
  if (r.retiredAt !== null) return 'retired';
  return r.activatedAt === null ? 'next' : 'active';
}

function isPublished(r: SigningKeyRecord, now: number): boolean {
  return r.retiredAt === null || (r.expiresAt !== null && r.expiresAt > now);
}
