import { userInfo } from 'node:os';
import { loadConfig } from '../config/load-config.ts';
import { ConfigError, GatehouseError } from '../core/errors.ts';
import { UsageError, type CliContext, type CommandGroup, type Out } from './command.ts';
import { adminTokenCommands } from './commands/admin-token.ts';
import { agentsCommands } from './commands/agents.ts';
import { auditCommands } from './commands/audit.ts';
import { clientSecretsCommands } from './commands/client-secrets.ts';
import { doctorCommands } from './commands/doctor.ts';
import { initCommands } from './commands/init.ts';
import { issuersCommands } from './commands/issuers.ts';
import { keysCommands } from './commands/keys.ts';
import { policyCommands } from './commands/policy.ts';
import { scanCommands } from './commands/scan.ts';
import { tokenCommands } from './commands/token.ts';
import { splitGlobalOptions } from './global-options.ts';
import { runCommand } from './run-command.ts';

const GROUPS: Record<string, CommandGroup> = {
  init: initCommands, agents: agentsCommands, keys: keysCommands, policy: policyCommands, audit: auditCommands, 'admin-token': adminTokenCommands,
  'client-secrets': clientSecretsCommands, issuers: issuersCommands, token: tokenCommands,
  doctor: doctorCommands, scan: scanCommands,
};

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  start                 run the gateway (data plane + admin API)
  init                  write a starter gatehouse.yaml
  agents  create|list|show|suspend|resume|revoke
          auth-methods|add-key|keys|remove-key      (token endpoint: client auth, public keys)
  keys    issue|list|rotate|revoke                  (API keys)
          signing|rotate-signing                    (Gatehouse's token-signing keys)
  client-secrets issue|list|rotate|revoke           (token endpoint client secrets)
  issuers add|list|show|remove                      (trusted external issuers)
  token   --url URL --client NAME …                 (obtain a token, for testing)
          inspect|revoke                            (decode and verify; revoke by jti)
  policy  check|explain|show
  audit   tail|verify
  admin-token reset
  scan BASE-URL         attack an agent API like an autonomous attacker; findings and a verdict
  doctor                check every defensive layer of this deployment (PASS / WARN / FAIL)

Global options:
  --config FILE         configuration (default ./gatehouse.yaml if present, else built-in defaults)
  --admin-url URL       use a running gateway's admin API instead of the local store
                        (env GATEHOUSE_ADMIN_URL; token from GATEHOUSE_ADMIN_TOKEN or --token)
  --json                print exactly one JSON document
  -h, --help            help for any command: gatehouse agents create --help

Exit codes: 0 ok, 1 operation failed or problems found, 2 usage or configuration error.`;

export interface MainOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h' || arg === 'help';

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], out: Out, opts: MainOptions = {}): Promise<number> {
  let where = 'gatehouse';
  try {
    const { globals, rest } = splitGlobalOptions(argv);
    const [group, sub] = rest;
    if (group === 'start') {
      where = 'gatehouse start';
      if (globals.adminUrl !== undefined || globals.token !== undefined) throw new UsageError('start runs the local gateway; --admin-url and --token do not apply');
      const { runStart } = await import('../app/start-command.ts');
      return await runStart([...(globals.config === undefined ? [] : ['--config', globals.config]), ...rest.slice(1)]);
    }
    // doctor probes listeners itself; the global --admin-url (remote admin operations) would be silently ignored.
    if (group === 'doctor' && globals.adminUrl !== undefined) throw new UsageError('doctor takes the admin API to probe as --probe-admin URL (--admin-url is for remote admin commands)');
    if (group === undefined || isHelp(group)) return usage(out, USAGE, group !== undefined);
    const commands = GROUPS[group];
    if (!commands) throw new UsageError(`unknown command "${group}"`);
    where = `gatehouse ${group}`;
    // A group may have a default command ('') and named ones (`token` and `token inspect`).
    const named = sub !== undefined && sub !== '' && Object.hasOwn(commands, sub);
    const single = named ? undefined : commands[''];
    const name = single ? '' : sub;
    if (!single && (name === undefined || isHelp(name))) return usage(out, groupUsage(group, commands), name !== undefined);
    const cmd = Object.hasOwn(commands, name!) ? commands[name!] : undefined;
    if (!cmd) throw new UsageError(`unknown command "${group} ${name}"`);
    if (!single) where = `gatehouse ${group} ${name}`;
    const cwd = opts.cwd ?? process.cwd();
    const env = opts.env ?? process.env;
    const ctx: CliContext = {
      cwd, env, configFile: globals.config, actor: actorName(), signal: opts.signal ?? new AbortController().signal,
      loadConfig: () => loadConfig({ file: globals.config, cwd, env }),
    };
    return await runCommand(cmd, rest.slice(single ? 1 : 2), out, ctx, globals);
  } catch (err) {
    return report(err, out, where);
  }
}

function usage(out: Out, text: string, asked: boolean): number {
  (asked ? out.stdout : out.stderr).write(`${text}\n`);
  return asked ? 0 : 2;
}

function groupUsage(group: string, commands: CommandGroup): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `Usage: gatehouse ${group} <command> [options]\n\n${lines.join('\n')}\n\nRun 'gatehouse ${group} <command> --help' for details.`;
}

/** User mistakes: one clear line. Anything unexpected is a bug: show the stack. */
function report(err: unknown, out: Out, where: string): number {
  // node:util parseArgs errors (unknown option, missing value) are usage mistakes too.
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) {
    out.stderr.write(`${where}: ${(err as Error).message} (see '${where} --help')\n`);
    return 2;
  }
  if (err instanceof ConfigError) {
    out.stderr.write(`${where}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof GatehouseError && err.expose) {
    out.stderr.write(`${where}: ${err.message} [${err.code}]\n`);
    return 1;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  out.stderr.write(`${where}: unexpected error (this is a bug, please report it):\n${detail}\n`);
  return 1;
}

function actorName(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}
