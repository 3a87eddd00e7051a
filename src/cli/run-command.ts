import type { AdminOps } from '../admin/admin-ops.ts';
import type { LocalCore } from '../app/open-local.ts';
import { UsageError, type CliContext, type Command, type Out, type WithOps } from './command.ts';
import type { GlobalOptions } from './global-options.ts';

/** Where AdminOps come from: the admin API (--admin-url / GATEHOUSE_ADMIN_URL) or the local store. */
export function remoteTarget(globals: GlobalOptions, env: NodeJS.ProcessEnv): { url: string; token: string } | undefined {
  const url = globals.adminUrl ?? (env.GATEHOUSE_ADMIN_URL || undefined);
  if (url === undefined) return undefined;
  if (!URL.canParse(url) || !/^https?:\/\//i.test(url)) throw new UsageError(`admin URL "${url}" must be an http:// or https:// URL`);
  const token = globals.token ?? (env.GATEHOUSE_ADMIN_TOKEN || undefined);
  if (token === undefined) throw new UsageError('--admin-url needs the admin token: set GATEHOUSE_ADMIN_TOKEN (or pass --token)');
  return { url, token };
}

/** Opens the store-backed core for one command and always closes it. Heavy modules load only here. */
async function withCore<T>(ctx: CliContext, out: Out, fn: (core: LocalCore) => Promise<T>): Promise<T> {
  const { openLocal } = await import('../app/open-local.ts');
  const core = await openLocal(ctx.loadConfig(), { env: ctx.env });
  for (const w of core.warnings) out.stderr.write(`warning: ${w}\n`);
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/** Gives the command what it needs (AdminOps, the local core, or just the context) and runs it. */
export async function runCommand(cmd: Command, args: string[], out: Out, ctx: CliContext, globals: GlobalOptions): Promise<number> {
  if (cmd.needs === 'context') return cmd.run(ctx, args, out);
  const remote = remoteTarget(globals, ctx.env);
  if (cmd.needs === 'core') {
    if (remote) throw new UsageError('this command works on the local store only; run it on the gateway machine without --admin-url');
    return withCore(ctx, out, (core) => cmd.run(core, args, out, ctx));
  }
  const withOps: WithOps = async (fn) => {
    if (remote) {
      const { RemoteAdminOps } = await import('../admin/remote-admin-ops.ts');
      return fn(new RemoteAdminOps(remote));
    }
    const { LocalAdminOps } = await import('../admin/local-admin-ops.ts');
    return withCore(ctx, out, (core) => fn(new LocalAdminOps(core, ctx.actor) satisfies AdminOps));
  };
  if (cmd.needs === 'ops-on-demand') return cmd.run(withOps, args, out, ctx);
  return withOps((ops) => cmd.run(ops, args, out, ctx));
}
