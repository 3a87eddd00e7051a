import { conflict } from '../core/errors.ts';

/** What API keys and client secrets share for rotation. */
export interface RotatableCredential {
  id: string;
  expiresAt: number;
  revokedAt: number | null;
  replacedBy: string | null;
}

/**
 * The rotation rule for API keys and client secrets alike: only a live credential that was not
 * rotated before may rotate, and after the rotation it lives at most `overlapMs` longer (never
 * longer than it would have). Throws 409 `<kind>_not_active` / `<kind>_already_rotated`.
 */
export function retireOnRotation(old: RotatableCredential, now: number, overlapMs: number, kind: { code: 'key' | 'client_secret'; label: string }): { expiresAt: number } {
  if (old.revokedAt !== null || old.expiresAt <= now) throw conflict(`${kind.code}_not_active`, `${kind.label} ${old.id} is revoked or expired; issue a new one`);
  if (old.replacedBy !== null) throw conflict(`${kind.code}_already_rotated`, `${kind.label} ${old.id} was already rotated to ${old.replacedBy}`);
  return { expiresAt: Math.min(old.expiresAt, now + overlapMs) };
}
