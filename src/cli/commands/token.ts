import { opsCommand, type CommandGroup } from '../command.ts';
import { clean, time } from '../format.ts';
import { tokenInspect } from './token-inspect.ts';
import { tokenObtain } from './token-obtain.ts';

const REVOKE_USAGE = `Usage: gatehouse token revoke JTI [--json]

Revokes an access token by its jti (see gatehouse token inspect). Every gateway refuses it from its
next request on; the revocation is kept until the token would have expired anyway (at most 1 h).`;

/** `token revoke JTI` */
export const tokenRevoke = opsCommand(
  { usage: REVOKE_USAGE, options: {}, positionals: [1, 1] },
  (ops, a) => ops.revokeToken(a.positionals[0]!),
  (r, out) => out.stdout.write(`Token ${clean(r.jti)} is revoked (since ${time(r.revokedAt)}; the record is kept until ${time(r.expiresAt)}).\n`),
);

export const tokenCommands: CommandGroup = {
  '': { needs: 'context', summary: 'obtain an access token from a running gateway (testing)', run: tokenObtain },
  inspect: { needs: 'ops-on-demand', summary: 'decode and verify a token, showing its delegation chain', run: tokenInspect },
  revoke: { needs: 'ops', summary: 'revoke an access token by jti', run: tokenRevoke },
};
