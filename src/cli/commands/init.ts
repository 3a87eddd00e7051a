import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../../config/load-config.ts';
import { parseCommand, type CliContext, type CommandGroup, type Out } from '../command.ts';
import { printJson } from '../format.ts';
import { INIT_TEMPLATE } from '../init-template.ts';

const USAGE = `Usage: gatehouse init [FILE] [--force]

Writes a commented starter configuration (default ./${DEFAULT_CONFIG_FILE}, or --config FILE).
Refuses to overwrite an existing file unless --force is given.`;

/** `init [FILE] [--force]` */
export async function initCommand(ctx: CliContext, args: string[], out: Out): Promise<number> {
  const a = parseCommand({ usage: USAGE, options: { force: { type: 'boolean' } }, positionals: [0, 1] }, args, out);
  if (!a) return 0;
  const file = resolve(ctx.cwd, a.positionals[0] ?? ctx.configFile ?? DEFAULT_CONFIG_FILE);
  const shown = relative(ctx.cwd, file) || file;
  try {
    // 'wx' fails if the file exists, without a check-then-write race.
    writeFileSync(file, INIT_TEMPLATE, { flag: a.values.force === true ? 'w' : 'wx', mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    out.stderr.write(code === 'EEXIST' ? `${shown} already exists; not overwriting it (use --force to replace it).\n` : `cannot write ${shown} (${code}).\n`);
    return 1;
  }
  if (a.json) printJson(out, { file });
  else out.stdout.write(`Wrote ${shown}.\n\nNext steps:\n  gatehouse policy check\n  gatehouse agents create my-agent --label reader\n  gatehouse keys issue my-agent\n  gatehouse start\n`);
  return 0;
}

export const initCommands: CommandGroup = {
  '': { needs: 'context', summary: 'write a starter gatehouse.yaml', run: initCommand },
};
