import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliContext, Out } from './command.ts';
import { loadConfig } from '../config/load-config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const MAIN = `${ROOT}src/cli/main.ts`;

/** An Out that collects text. */
export function capture(): Out & { text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  return { text, stdout: { write: (s: string) => (text.out += s) }, stderr: { write: (s: string) => (text.err += s) } };
}

/** A CliContext over a config file, with a clean environment. */
export function cliContext(cwd: string, configFile?: string, signal: AbortSignal = new AbortController().signal): CliContext {
  return { cwd, env: {}, configFile, actor: 'cli:test', signal, loadConfig: () => loadConfig({ file: configFile, cwd, env: {} }) };
}

/** Spawns the real CLI (`node src/cli/main.ts …`) without any GATEHOUSE_* variables from this process. */
export function spawnCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  const child = spawn(NODE, [MAIN, ...args], { cwd: opts.cwd, env: { ...env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
