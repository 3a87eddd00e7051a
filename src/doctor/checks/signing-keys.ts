import type { SigningKeyRecord } from '../../core/types.ts';
import { KeyEncryption } from '../../oauth/key-encryption.ts';
import { duration, fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck, SecretLookup } from '../types.ts';

const short = (kid: string): string => (kid.length > 12 ? `${kid.slice(0, 12)}…` : kid);
const isActive = (k: SigningKeyRecord): boolean => k.activatedAt !== null && k.retiredAt === null;
const isNext = (k: SigningKeyRecord): boolean => k.activatedAt === null && k.retiredAt === null;

/** Slack past the period before calling rotation late: gateways check every few seconds, so minutes mean it is not running. */
export const rotationMargin = (periodMs: number): number => Math.max(60_000, periodMs * 0.1);

/** One active key, younger than the rotation period (plus a margin), with a successor already published. */
export function signingKeyVerdicts(keys: readonly SigningKeyRecord[], rotationHours: number, now: number): CheckResult[] {
  if (keys.length === 0) return [warn('no token-signing keys yet', 'Gatehouse creates them at its first start; until then no token can be issued.')];
  const active = keys.filter(isActive);
  if (active.length === 0) return [fail('no active signing key: no token can be issued', 'Run gatehouse keys rotate-signing to activate the next key.')];
  if (active.length > 1) return [fail(`${active.length} signing keys are active at once (${active.map((k) => short(k.kid)).join(', ')})`, 'Exactly one key may sign. The store was changed outside Gatehouse; run gatehouse keys rotate-signing.')];
  const key = active[0]!;
  const period = rotationHours * 3_600_000;
  const age = now - key.activatedAt!;
  const out: CheckResult[] = [age <= period + rotationMargin(period)
    ? pass(`active signing key ${short(key.kid)} is ${duration(age)} old (rotation every ${duration(period)})`)
    : warn(`active signing key ${short(key.kid)} is ${duration(age)} old, older than the rotation period (${duration(period)}): is rotation running?`,
      'Every running gateway rotates on schedule (oauth.signing.rotationHours). If none has run for a while this is expected; otherwise check the gateway logs, or rotate now: gatehouse keys rotate-signing.')];
  const next = keys.find(isNext);
  out.push(next ? pass(`next signing key ${short(next.kid)} is published ahead of use`) : warn('no next signing key is published', 'Clients cannot fetch the next key before it signs. A running gateway creates it within seconds; otherwise run gatehouse keys rotate-signing.'));
  return out;
}

/** The master key must open the active key: otherwise the gateway cannot sign after its next restart. */
async function decryptVerdict(key: SigningKeyRecord, master: SecretLookup): Promise<CheckResult[]> {
  if (!master.ok) return [warn(`active signing key not decrypted: ${master.reason}`)];
  try {
    await new KeyEncryption(master.secret).decrypt(key.kid, key.privateEnc);
    return [pass('the master key decrypts the active signing key')];
  } catch {
    return [fail('the master key does not decrypt the active signing key', 'GATEHOUSE_MASTER_KEY / secrets.masterKeyFile is not the key the signing keys were created with: restore the right one.')];
  }
}

export const signingKeysCheck: DoctorCheck = {
  id: 'signing-keys',
  title: 'Token-signing keys: rotation',
  async run(ctx) {
    const store = await ctx.store();
    if (!store.ok) return [warn(`signing keys not checked: ${store.reason}`)];
    const keys = await store.value.listSigningKeys();
    const out = signingKeyVerdicts(keys, ctx.loaded.config.oauth.signing.rotationHours, ctx.now());
    const active = keys.filter(isActive);
    if (active.length === 1) out.push(...(await decryptVerdict(active[0]!, ctx.masterKey())));
    return out;
  },
};
