import { randomBytes } from 'node:crypto';
import type { RandomBytes } from '../core/clock.ts';

/** Cryptographic randomness, served from a pooled buffer: one syscall per 4 KiB instead of per id. */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

export const systemRandom: RandomBytes = (n) => {
  if (n > POOL_SIZE) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  // A copy: callers may keep or mutate what they get, and the pool must never hand out a byte twice.
  const out = Buffer.from(pool.subarray(offset, offset + n));
  offset += n;
  return out;
};

/** A short random id with a type prefix (`agt_`, `key_`, `req_`): 96 bits, base64url. */
export function newId(prefix: string, random: RandomBytes = systemRandom): string {
  // Every request gets one: straight from the pool, no intermediate copies.
  if (random === systemRandom) return `${prefix}_${takeFromPool(12)}`;
  return `${prefix}_${Buffer.from(random(12)).toString('base64url')}`;
}

/** `n` unused bytes of the pool as base64url (the bytes are never handed out again). */
function takeFromPool(n: number): string {
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + n);
  offset += n;
  return id;
}
