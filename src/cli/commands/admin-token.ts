import { resetAdminToken } from '../../admin/admin-token.ts';
import type { LocalCore } from '../../app/open-local.ts';
import { parseCommand, type CliContext, type CommandGroup, type Out } from '../command.ts';
import { printJson } from '../format.ts';

const RESET_USAGE = `Usage: gatehouse admin-token reset [--json]

Replaces the admin API token; the old token stops working at once. Works on the local store only
(run it on the gateway's machine, with its --config). The new token is printed once.`;

/** `admin-token reset`: audited as an admin change by the OS user running it. */
export async function adminTokenReset(core: LocalCore, args: string[], out: Out, ctx: Pick<CliContext, 'actor'>): Promise<number> {
  const a = parseCommand({ usage: RESET_USAGE, options: {}, positionals: [0, 0] }, args, out);
  if (!a) return 0;
  const token = await resetAdminToken(core.store, core.secret, { actor: ctx.actor, clock: core.clock });
  if (a.json) {
    printJson(out, { token });
    return 0;
  }
  out.stdout.write(`${token}\n`);
  out.stderr.write('New admin token issued; the previous one no longer works. It will not be shown again: store it now.\n');
  return 0;
}

export const adminTokenCommands: CommandGroup = {
  reset: { needs: 'core', summary: 'replace the admin API token', run: adminTokenReset },
};
