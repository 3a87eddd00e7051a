import type { SigningKeyView } from '../../admin/oauth-admin-ops.ts';
import { opsCommand } from '../command.ts';
import { table, time } from '../format.ts';

const SIGNING_USAGE = `Usage: gatehouse keys signing [--json]

Lists Gatehouse's token-signing keys: the active key signs, the next key is already published in
the JWKS, retired keys stay published until the last token they signed has expired. Facts only:
no key material is ever shown.`;
const ROTATE_USAGE = `Usage: gatehouse keys rotate-signing [--json]

Rotates the signing key now (rotation also happens every oauth.signing.rotationHours): the next key
becomes active, the active key is retired but stays in the JWKS until its tokens expire, and a new
next key is published. Tokens already issued keep working. Running gateways pick the change up
within seconds.`;

function signingTable(keys: readonly SigningKeyView[]): string {
  const order = { active: 0, next: 1, retired: 2 } as const;
  const sorted = [...keys].sort((a, b) => order[a.state] - order[b.state] || b.createdAt - a.createdAt);
  return table(['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATED', 'EXPIRES'], sorted.map((k) => [k.kid, k.alg, k.state, time(k.createdAt), time(k.activatedAt), time(k.expiresAt)]));
}

/** `keys signing` */
export const keysSigning = opsCommand(
  { usage: SIGNING_USAGE, options: {}, positionals: [0, 0] },
  (ops) => ops.listSigningKeys(),
  (keys, out) => out.stdout.write(signingTable(keys)),
);

/** `keys rotate-signing` */
export const keysRotateSigning = opsCommand(
  { usage: ROTATE_USAGE, options: {}, positionals: [0, 0] },
  (ops) => ops.rotateSigningKeys(),
  (r, out) => {
    if (r.rotated) out.stdout.write(`Rotated: the active signing key is now ${r.activeKid ?? '-'} (was ${r.previousKid ?? '-'}; it stays published until its tokens expire).\n`);
    else out.stdout.write(`Another instance rotated at the same moment; the active signing key is ${r.activeKid ?? '-'}.\n`);
    out.stdout.write(signingTable(r.keys));
  },
);
