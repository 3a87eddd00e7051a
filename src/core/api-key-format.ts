import { createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { RandomBytes } from './clock.ts';

/**
 * Gatehouse API key: `gth_` + 43 base62 chars (32 random bytes) + 6 base62 chars (CRC32 of
 * everything before it) = 53 characters, e.g. `gth_0Yp…Qz` (modelled on GitHub's token format).
 *
 * 62^43 ≈ 2^256.03 ≥ 2^256, so 43 fixed-width digits carry all 256 random bits with no loss
 * (42 would not: 62^42 ≈ 2^250). 62^6 ≥ 2^32 likewise fits the whole CRC32. The checksum only
 * lets scanners and the gateway reject typos/garbage offline; it adds no security.
 */
export const API_KEY_PREFIX = 'gth_';
export const API_KEY_RANDOM_BYTES = 32;
export const API_KEY_BODY_LENGTH = 43;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_BODY_LENGTH + API_KEY_CHECKSUM_LENGTH; // 53

/** What a secret scanner should look for (not anchored, not global, so it is safe to share). */
export const API_KEY_PATTERN = /\bgth_[0-9A-Za-z]{49}\b/;

/** Token-endpoint client secrets share the format under their own prefix (scanner: /\bgcs_[0-9A-Za-z]{49}\b/). */
export const CLIENT_SECRET_PREFIX = 'gcs_';
export const CLIENT_SECRET_PATTERN = /\bgcs_[0-9A-Za-z]{49}\b/;
const EXACT: Record<string, RegExp> = { [API_KEY_PREFIX]: /^gth_[0-9A-Za-z]{49}$/, [CLIENT_SECRET_PREFIX]: /^gcs_[0-9A-Za-z]{49}$/ };

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAX_RANDOM = 1n << BigInt(API_KEY_RANDOM_BYTES * 8);

function toBase62(n: bigint, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  if (n !== 0n) throw new Error('value does not fit the base62 width'); // cannot happen for our sizes
  return out;
}

const MAX_BODY = toBase62(MAX_RANDOM - 1n, API_KEY_BODY_LENGTH);

const checksum = (s: string): string => toBase62(BigInt(crc32(s)), API_KEY_CHECKSUM_LENGTH);

/** Generates a new key from 32 injected random bytes. */
export function generateApiKey(random: RandomBytes): string {
  return generateCredential(API_KEY_PREFIX, random);
}

/** Generates a credential of this format under `prefix` (gth_ API key, gcs_ client secret). */
export function generateCredential(prefix: typeof API_KEY_PREFIX | typeof CLIENT_SECRET_PREFIX, random: RandomBytes): string {
  const bytes = random(API_KEY_RANDOM_BYTES);
  // Fail closed on a broken randomness source rather than mint a short key.
  if (!(bytes instanceof Uint8Array) || bytes.length !== API_KEY_RANDOM_BYTES) {
    throw new Error(`RandomBytes returned ${bytes?.length} bytes, expected ${API_KEY_RANDOM_BYTES}`);
  }
  const n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  const head = prefix + toBase62(n, API_KEY_BODY_LENGTH);
  return head + checksum(head);
}

/**
 * Checks the exact shape of a presented key: length, prefix, charset, that the random part is a
 * value the generator can produce, and the checksum. No trimming: any whitespace or newline fails.
 */
export function parseApiKey(candidate: string): { ok: true } | { ok: false; reason: 'credential_malformed' } {
  return parseCredential(API_KEY_PREFIX, candidate);
}

/** parseApiKey for any prefix of this format. */
export function parseCredential(prefix: typeof API_KEY_PREFIX | typeof CLIENT_SECRET_PREFIX, candidate: string): { ok: true } | { ok: false; reason: 'credential_malformed' } {
  const bad = { ok: false, reason: 'credential_malformed' } as const;
  if (typeof candidate !== 'string' || candidate.length !== API_KEY_LENGTH || !EXACT[prefix]!.test(candidate)) return bad;
  const head = candidate.slice(0, API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH);
  // Fixed width and an ASCII-ordered alphabet: string order is numeric order, no BigInt needed per request.
  if (head.slice(prefix.length) > MAX_BODY) return bad;
  return checksum(head) === candidate.slice(-API_KEY_CHECKSUM_LENGTH) ? { ok: true } : bad;
}

/** HMAC-SHA-256(serverSecret, key) as lowercase hex: the only form a key is ever stored in. */
export function hashApiKey(serverSecret: Uint8Array | string, key: string): string {
  // An empty HMAC key would make the stored hash an unkeyed, offline-guessable digest.
  if (serverSecret.length === 0) throw new Error('server secret must not be empty');
  return createHmac('sha256', serverSecret).update(key, 'utf8').digest('hex');
}

/**
 * Constant-time string comparison for hex digests. Unequal lengths return false (a digest's
 * length is not secret) after doing the same amount of work as an equal-length compare.
 */
export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** Operator-facing hint: prefix + first 4 random chars (≈24 of 256 bits), e.g. `gth_AbCd…`. */
export function keyHint(key: string): string {
  return `${key.slice(0, API_KEY_PREFIX.length + 4)}…`;
}
