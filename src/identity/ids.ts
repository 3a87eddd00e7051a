import { randomBytes } from 'node:crypto';
import type { RandomBytes } from '../core/clock.ts';

export const systemRandom: RandomBytes = (n) => randomBytes(n);

/** A short random id with a type prefix (`agt_`, `key_`, `req_`): 96 bits, base64url. */
export function newId(prefix: string, random: RandomBytes = systemRandom): string {
  return `${prefix}_${Buffer.from(random(12)).toString('base64url')}`;
}
