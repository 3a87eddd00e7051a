import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { AdminOps } from '../admin/admin-ops.ts';
import type { LocalCore } from '../app/open-local.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { printJson } from './format.ts';

/** Where a command writes. Tests pass string collectors; main passes process.stdout/stderr. */
export interface Out {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A mistake in how the command was invoked: one line on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Process facts and global options, for the commands that need more than AdminOps. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config, if given. */
  configFile: string | undefined;
  /** Who acts, for audit records: `cli:<os user>`. */
  actor: string;
  /** Aborted on SIGINT (audit tail --follow stops on it). */
  signal: AbortSignal;
  loadConfig(): LoadedConfig;
}

/** Runs `fn` with AdminOps (local store or admin API) opened on demand and closed afterwards. */
export type WithOps = <T>(fn: (ops: AdminOps) => Promise<T>) => Promise<T>;

/** One subcommand: what it needs decides how main prepares it. */
export type Command =
  | { needs: 'ops'; summary: string; run(ops: AdminOps, args: string[], out: Out, ctx: CliContext): Promise<number> }
  /** For commands that may not need AdminOps at all (token inspect --jwks): nothing is opened unless asked. */
  | { needs: 'ops-on-demand'; summary: string; run(withOps: WithOps, args: string[], out: Out, ctx: CliContext): Promise<number> }
  | { needs: 'core'; summary: string; run(core: LocalCore, args: string[], out: Out, ctx: CliContext): Promise<number> }
  | { needs: 'context'; summary: string; run(ctx: CliContext, args: string[], out: Out): Promise<number> };

export type CommandGroup = Record<string, Command>;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses one subcommand's arguments (plus --json and --help). Returns undefined after printing the
 * usage for --help; throws UsageError for unknown options or a wrong number of positionals.
 */
export function parseCommand<O extends ParseArgsOptionsConfig>(spec: Spec<O>, args: string[], out: Out) {
  const options = { ...spec.options, ...COMMON } as O & typeof COMMON;
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const common = parsed.values as { help?: boolean; json?: boolean }; // generic inside; resolved for callers
  if (common.help === true) {
    out.stdout.write(`${spec.usage}\n`);
    return undefined;
  }
  const [min, max] = spec.positionals;
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`missing argument${min - n > 1 ? 's' : ''}`);
  if (n > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
  return { values: parsed.values, positionals: parsed.positionals, json: common.json === true };
}

type Spec<O extends ParseArgsOptionsConfig> = { usage: string; options: O; positionals: [min: number, max: number] };
export type Parsed<O extends ParseArgsOptionsConfig> = NonNullable<ReturnType<typeof parseCommand<O>>>;

/**
 * The common shape of an AdminOps command: parse → one operation → the result as JSON (--json)
 * or as text. `exitCode` turns a result into a failure code (verify found problems).
 */
export function opsCommand<O extends ParseArgsOptionsConfig, T>(
  spec: Spec<O>,
  action: (ops: AdminOps, a: Parsed<O>) => Promise<T>,
  human: (value: T, out: Out, a: Parsed<O>) => void,
  exitCode: (value: T) => number = () => 0,
): (ops: AdminOps, args: string[], out: Out) => Promise<number> {
  return async (ops, args, out) => {
    const a = parseCommand(spec, args, out);
    if (!a) return 0;
    const value = await action(ops, a);
    if (a.json) printJson(out, value);
    else human(value, out, a);
    return exitCode(value);
  };
}

/** A whole number option within [min, max], or a UsageError naming the option. */
export function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}
