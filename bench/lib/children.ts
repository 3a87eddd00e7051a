import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

// Every process the bench starts goes through here, so that all of them are ended on success,
// on error and on Ctrl-C. Each child leads its own process group (detached), and the group is
// signalled: that also reaches nginx's worker and anything a CLI spawned.

const live = new Set<ChildProcess>();
let signalled = false;

/** True once SIGINT/SIGTERM arrived: failures after that are the shutdown, not errors. */
export function interrupted(): boolean {
  return signalled;
}
const TAIL_CHARS = 4000;

export interface Child {
  name: string;
  pid: number;
  /** The last few KB the child wrote to stdout and stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Start a long-running child (a server, a load generator). */
export function startChild(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(cmd, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    proc.once('error', (err) => {
      keep(Buffer.from(`\n[spawn error] ${err.message}\n`));
      live.delete(proc);
      resolve('spawn-error');
    });
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    name,
    pid: proc.pid ?? -1,
    output: () => tail,
    exited,
    async stop() {
      signalGroup(proc, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Run a command to completion and collect its output (CLI provisioning, the load generator). */
export async function runChild(name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const proc = spawn(cmd, args, { detached: true, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | string>((resolve) => {
    proc.once('error', (err) => {
      stderr += `[spawn error] ${err.message}`;
      resolve('spawn-error');
    });
    proc.once('close', (c, signal) => resolve(c ?? signal ?? 'unknown'));
  });
  live.delete(proc);
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${stderr.slice(-TAIL_CHARS) || stdout.slice(-TAIL_CHARS)}`);
  return { code, stdout, stderr };
}

/** Stop every child that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          const timer = setTimeout(() => signalGroup(proc, 'SIGKILL'), 3000);
          proc.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          signalGroup(proc, 'SIGTERM');
        }),
    ),
  );
}

/** End all children when this process ends, however it ends; on a signal, run `cleanup` too. */
export function installExitHandlers(cleanup: () => Promise<void> = async () => {}): void {
  // Last resort: 'exit' handlers must be synchronous, so no waiting here.
  process.on('exit', () => {
    for (const proc of live) signalGroup(proc, 'SIGKILL');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      signalled = true;
      console.error(`\n${signal}: stopping child processes…`);
      void stopAll()
        .then(cleanup)
        .finally(() => process.exit(code));
    });
  }
}

/** Poll `url` until it answers `status`; fail early if `child` exits first. */
export async function waitForHttp(url: string, child: Child, opts: { status?: number; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let exited = false;
  void child.exited.then(() => (exited = true));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
    try {
      const res = await fetch(url, { headers: opts.headers ?? {}, signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === (opts.status ?? 200)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} not ready at ${url} (${last}):\n${child.output()}`);
}
