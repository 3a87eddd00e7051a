import { randomBytes } from 'node:crypto';
import type { RandomBytes } from '../core/clock.ts';

/** Cryptographic randomness, served from a pooled buffer: one syscall per 4 KiB instead of per id. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** The offset of `n` bytes of the pool no one has had yet (refilled when too few are left). */
function reserve(n: number): number {
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const at = offset;
  offset += n;
  return at;
}

export const systemRandom: RandomBytes = (n) => {
  if (n > POOL_SIZE) return randomBytes(n);
  const at = reserve(n);
  // A copy: callers may keep or mutate what they get, and the pool must never hand out a byte twice.
  return Buffer.from(pool.subarray(at, at + n));
};

/** A short random id with a type prefix (`agt_`, `key_`, `req_`): 96 bits, base64url. */
export function newId(prefix: string, random: RandomBytes = systemRandom): string {
  if (random === systemRandom) {
    // Every request gets one: encoded straight from the pool, no intermediate copy.
    const at = reserve(12);
    return `${prefix}_${pool.toString('base64url', at, at + 12)}`;
  }
  return `${prefix}_${Buffer.from(random(12)).toString('base64url')}`;
}
