import { UsageError } from './command.ts';

/** Options that apply to every command and may appear anywhere on the command line. */
export interface GlobalOptions {
  config?: string;
  adminUrl?: string;
  token?: string;
}

const NAMES: Record<string, keyof GlobalOptions> = { '--config': 'config', '--admin-url': 'adminUrl', '--token': 'token' };

/**
 * Takes --config, --admin-url and --token (as `--x v` or `--x=v`) out of argv, wherever they are,
 * so each command parses only its own options. Everything after `--` is left alone.
 */
export function splitGlobalOptions(argv: readonly string[]): { globals: GlobalOptions; rest: string[] } {
  const globals: GlobalOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const key = Object.hasOwn(NAMES, name) ? NAMES[name] : undefined; // not `constructor` & co. from the prototype
    if (key === undefined) {
      rest.push(arg);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
    if (globals[key] !== undefined) throw new UsageError(`${name} given twice`);
    globals[key] = value;
  }
  return { globals, rest };
}
