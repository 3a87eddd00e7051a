import { errors, importJWK, type CryptoKey, type JWK } from 'jose';
import { GatehouseError } from '../core/errors.ts';

/** Asymmetric JWS algorithms and the key type (and curve) each needs; `none` and HS* never appear. */
const KEY_TYPES: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: 'RSA' }, RS384: { kty: 'RSA' }, RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' }, PS384: { kty: 'RSA' }, PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' }, ES384: { kty: 'EC', crv: 'P-384' }, ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' }, Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MAX_KID_LENGTH = 256;

export type FetchJson = (url: string) => Promise<unknown>;

export interface JwksSourceOptions {
  /** A static key set (exclusive with `url`). */
  jwks?: { keys: object[] };
  /** A remote key set, fetched through `fetcher` (a SafeFetcher, so case 42 applies). */
  url?: string;
  fetcher?: FetchJson | { fetchJson: FetchJson };
  /** The same seam as a plain function (either this or `fetcher`). */
  fetchJson?: FetchJson;
  allowedAlgs: readonly string[];
  now?: () => number;
  /** How long a fetched set is fresh; a failing refresh serves it until twice this. */
  cacheTtlMs?: number;
  /** Minimum time between fetches, whatever triggers them (unknown kids, expiry, failures). */
  cooldownMs?: number;
}

const configError = (message: string): GatehouseError => new GatehouseError('jwks_config_invalid', 400, message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a JWKS document: public asymmetric keys only, snapshotted so later mutation cannot matter. */
function parseKeySet(doc: unknown): JWK[] {
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw new errors.JWKSInvalid('JSON Web Key Set malformed: no "keys" array');
  return doc.keys.map((key: unknown, i) => {
    if (!isObject(key) || typeof key.kty !== 'string') throw new errors.JWKSInvalid(`JSON Web Key Set malformed: keys[${i}] is not a JWK`);
    if (key.kty === 'oct') throw new errors.JWKSInvalid(`keys[${i}] is a symmetric (oct) key; a JWKS must hold public keys only`);
    const member = PRIVATE_MEMBERS.find((m) => Object.hasOwn(key, m));
    if (member) throw new errors.JWKSInvalid(`keys[${i}] carries the private member "${member}"; a JWKS must hold public keys only`);
    return Object.freeze(structuredClone(key)) as JWK;
  });
}

/** The keys of `set` that may verify a JWS with `alg` (and `kid`, when given): RFC 7517 use/key_ops/alg. */
function candidates(set: readonly JWK[], alg: string, kid: string | undefined): JWK[] {
  const want = KEY_TYPES[alg]!;
  return set.filter((k) =>
    k.kty === want.kty && (want.crv === undefined || k.crv === want.crv)
    && (kid === undefined || k.kid === kid)
    && (k.use === undefined || k.use === 'sig')
    && (k.alg === undefined || k.alg === alg)
    && (k.key_ops === undefined || (Array.isArray(k.key_ops) && k.key_ops.includes('verify'))));
}

/**
 * Verification keys of one trusted issuer for jose's `jwtVerify(token, source.getKey.bind(source))`.
 * A remote set is cached, refreshed on expiry or on an unknown kid at most once per cooldown (so a
 * flood of random kids cannot turn us into a request amplifier), and kept through fetch failures
 * until twice its TTL.
 */
export class JwksSource {
  readonly #algs: ReadonlySet<string>;
  readonly #url: string | undefined;
  readonly #fetch: FetchJson | undefined;
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #cooldown: number;
  #set: { keys: readonly JWK[]; fetchedAt: number } | undefined;
  #lastAttempt = -Infinity;
  #lastError: unknown;
  #inflight: Promise<boolean> | undefined;
  readonly #imported = new WeakMap<JWK, Map<string, Promise<CryptoKey>>>();

  constructor(opts: JwksSourceOptions) {
    if (opts.allowedAlgs.length === 0) throw configError('allowedAlgs is empty');
    for (const alg of opts.allowedAlgs) if (!Object.hasOwn(KEY_TYPES, alg)) throw configError(`algorithm "${alg}" is not allowed for a JWKS: asymmetric JWS algorithms only (never none or HS*)`);
    if ((opts.jwks === undefined) === (opts.url === undefined)) throw configError('exactly one of jwks or url is required');
    this.#algs = new Set(opts.allowedAlgs);
    this.#now = opts.now ?? Date.now;
    this.#ttl = opts.cacheTtlMs ?? 10 * 60_000;
    this.#cooldown = opts.cooldownMs ?? 30_000;
    this.#url = opts.url;
    if (opts.jwks !== undefined) {
      try {
        this.#set = { keys: parseKeySet(opts.jwks), fetchedAt: Infinity };
      } catch (err) {
        throw configError((err as Error).message);
      }
    } else {
      const f = opts.fetcher ?? opts.fetchJson;
      if (f === undefined) throw configError('a remote JWKS needs a fetcher');
      this.#fetch = typeof f === 'function' ? f : (url) => f.fetchJson(url);
    }
  }

  /** The key that verifies a JWS with this protected header (a jose `JWTVerifyGetKey`). */
  async getKey(header: { kid?: string; alg?: string }): Promise<CryptoKey> {
    const { alg, kid } = header;
    if (typeof alg !== 'string' || !this.#algs.has(alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    // The kid is attacker-chosen: it is only ever compared with the cached set, never looked up elsewhere.
    if (kid !== undefined && (typeof kid !== 'string' || kid.length > MAX_KID_LENGTH)) throw new errors.JWKSNoMatchingKey();
    let found = candidates(await this.#keys(), alg, kid);
    if (found.length === 0 && this.#url !== undefined && (await this.#refresh())) found = candidates(this.#set!.keys, alg, kid);
    if (found.length === 0) throw new errors.JWKSNoMatchingKey();
    if (found.length > 1) throw new errors.JWKSMultipleMatchingKeys();
    return this.#import(found[0]!, alg);
  }

  /** The current set: fresh, or stale within 2×TTL when refreshing fails or is cooling down. */
  async #keys(): Promise<readonly JWK[]> {
    const fresh = (): boolean => this.#set !== undefined && this.#now() - this.#set.fetchedAt < this.#ttl;
    if (fresh()) return this.#set!.keys;
    await this.#refresh();
    if (fresh() || (this.#set && this.#now() - this.#set.fetchedAt < 2 * this.#ttl)) return this.#set!.keys;
    const why = this.#lastError instanceof Error ? `: ${this.#lastError.message}` : '';
    throw new GatehouseError('jwks_unavailable', 503, `the JWKS at ${this.#url} could not be obtained${why}`, { cause: this.#lastError });
  }

  /** Fetches the set unless a fetch is in flight (joined) or happened within the cooldown; true if a new set arrived. */
  #refresh(): Promise<boolean> {
    if (this.#inflight) return this.#inflight;
    if (this.#now() - this.#lastAttempt < this.#cooldown) return Promise.resolve(false);
    this.#lastAttempt = this.#now();
    this.#inflight = this.#fetch!(this.#url!)
      .then((doc) => {
        this.#set = { keys: parseKeySet(doc), fetchedAt: this.#now() };
        this.#lastError = undefined;
        return true;
      })
      .catch((err: unknown) => {
        this.#lastError = err;
        return false;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  /** Imports a JWK once per algorithm; the cache entry dies with the set that held the JWK. */
  #import(jwk: JWK, alg: string): Promise<CryptoKey> {
    let byAlg = this.#imported.get(jwk);
    if (!byAlg) this.#imported.set(jwk, (byAlg = new Map()));
    let key = byAlg.get(alg);
    if (!key) {
      key = importJWK(jwk, alg).then((k) => {
        if (k instanceof Uint8Array || k.type !== 'public') throw new errors.JWKSInvalid('JSON Web Key Set members must be public keys');
        return k;
      });
      key.catch(() => byAlg.delete(alg));
      byAlg.set(alg, key);
    }
    return key;
  }
}
