import { systemClock, type Clock, type RandomBytes } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import { hashApiKey, safeEqualHex } from '../core/api-key-format.ts';
import { adminAuditEntry } from '../identity/admin-audit.ts';
import { systemRandom } from '../identity/ids.ts';
import type { Store } from '../store/store.ts';

/** Admin token: `gta_` + 43 base64url characters (32 random bytes). Stored only as a keyed hash. */
export const ADMIN_TOKEN_PREFIX = 'gta_';
export const ADMIN_TOKEN_SETTING = 'admin_token_hash';
const SHAPE = /^gta_[A-Za-z0-9_-]{43}$/;

/** A fresh plaintext admin token. */
export function generateAdminToken(random: RandomBytes = systemRandom): string {
  const bytes = random(32);
  if (bytes.length !== 32) throw new Error('RandomBytes returned the wrong number of bytes');
  return ADMIN_TOKEN_PREFIX + Buffer.from(bytes).toString('base64url');
}

const hashOf = (secret: Secret, token: string): string => hashApiKey(secret.reveal(), token);

/**
 * Creates the admin token if none exists. Returns the plaintext only when this call created it
 * (the caller shows it once); `setSettingIfAbsent` makes two starting processes agree on one winner.
 */
export async function ensureAdminToken(store: Store, secret: Secret, opts: { clock?: Clock; random?: RandomBytes } = {}): Promise<string | undefined> {
  if ((await store.getSetting(ADMIN_TOKEN_SETTING)) !== undefined) return undefined;
  const token = generateAdminToken(opts.random);
  const hash = hashOf(secret, token);
  const stored = await store.setSettingIfAbsent(ADMIN_TOKEN_SETTING, hash);
  if (stored !== hash) return undefined; // another process won the race; its token stands
  await audit(store, 'admin_token.create', 'system', opts.clock);
  return token;
}

/** Constant-time check of a presented token against the stored hash; false when none is set. */
export async function verifyAdminToken(store: Store, secret: Secret, candidate: string): Promise<boolean> {
  // The shape check only rejects garbage early; its outcome depends on the input, not on the secret.
  if (typeof candidate !== 'string' || !SHAPE.test(candidate)) return false;
  const stored = await store.getSetting(ADMIN_TOKEN_SETTING);
  if (stored === undefined) return false;
  return safeEqualHex(stored, hashOf(secret, candidate));
}

/** Replaces the admin token (the old one stops working at once) and returns the new plaintext. Audited. */
export async function resetAdminToken(store: Store, secret: Secret, opts: { actor: string; clock?: Clock; random?: RandomBytes }): Promise<string> {
  const token = generateAdminToken(opts.random);
  await store.setSetting(ADMIN_TOKEN_SETTING, hashOf(secret, token));
  await audit(store, 'admin_token.reset', opts.actor, opts.clock);
  return token;
}

async function audit(store: Store, action: string, actor: string, clock: Clock | undefined): Promise<void> {
  await store.appendAudit([adminAuditEntry({ time: (clock ?? systemClock).now(), action, actor })]);
}
