import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runChild, startChild, waitForHttp } from '../lib/children.ts';
import { freePort } from '../lib/ports.ts';
import { BENCH_PATH } from '../lib/target.ts';
import type { BenchContext, Started } from '../lib/target.ts';

// Gatehouse with its whole request pipeline switched on, started exactly as an operator would:
// write gatehouse.yaml, provision an agent and a key with the CLI, run `gatehouse start`.
// Everything that depends on the CLI's interface is in this one file.

const NAME = 'Gatehouse (full pipeline)';
const AGENT = 'bench-agent';

function benchConfig(dir: string, port: number, adminPort: number, upstreamUrl: string): object {
  // A limit no run can reach: the bucket is checked on every request but never refuses.
  const neverTriggers = { rate: 1e6, burst: 1e6 };
  return {
    server: { listen: { host: '127.0.0.1', port } },
    admin: { listen: { host: '127.0.0.1', port: adminPort } },
    store: { url: `sqlite:${join(dir, 'gh.db')}` },
    secrets: { serverSecretFile: join(dir, 'server.secret') },
    rateLimit: { perAgent: neverTriggers, perAddress: neverTriggers },
    routes: [{ id: 'api', path: '/api/*', upstream: upstreamUrl }],
    policies: { rules: [{ id: 'bench-read', agents: { labels: ['bench'] }, methods: ['GET'], paths: ['/api/*'] }] },
    log: { level: 'warn', pretty: 'never' },
  };
}

function parseJson(what: string, stdout: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout.trim()) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} did not print JSON:\n${stdout.slice(0, 2000)}`);
  }
}

/** Start Gatehouse via its CLI with API-key auth, Cedar policy, per-agent rate limit and audit. */
export async function startGatehouse(ctx: BenchContext): Promise<Started> {
  // Measured as deployed: the compiled package (npm run build → dist/), not TypeScript stripped at
  // load time. BENCH_GATEHOUSE_CLI can point at another entry point (e.g. src/cli/main.ts).
  let cli = process.env.BENCH_GATEHOUSE_CLI;
  if (cli === undefined) {
    await runChild('npm run build', ctx.node, [join(ctx.repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(ctx.repoRoot, 'tsconfig.build.json')]);
    cli = join(ctx.repoRoot, 'dist/cli/main.js');
  }
  if (!existsSync(cli)) return { ok: false, name: NAME, reason: `${cli} does not exist` };

  const dir = join(ctx.tmpDir, 'gatehouse');
  await mkdir(dir, { recursive: true });
  const [port, adminPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'gatehouse.yaml');
  await writeFile(configFile, stringify(benchConfig(dir, port, adminPort, ctx.upstreamUrl)));

  // The config file is the whole truth for this run: drop GATEHOUSE_* overrides from the caller.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  env.NODE_ENV = 'production';
  const gatehouse = (...args: string[]) => runChild(`gatehouse ${args.slice(0, 2).join(' ')}`, ctx.node, [cli, '--config', configFile, ...args], env);

  await gatehouse('agents', 'create', AGENT, '--label', 'bench', '--json');
  const issued = parseJson('keys issue', (await gatehouse('keys', 'issue', AGENT, '--json')).stdout);
  if (typeof issued.key !== 'string') throw new Error('keys issue --json printed no "key" field');

  // The same V8 setting `npm start` and bin/gatehouse.js use (a smaller young generation; see docs/benchmarks.md).
  const child = startChild('gatehouse start', ctx.node, ['--max-semi-space-size=8', cli, '--config', configFile, 'start'], env);
  await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, child);
  const url = `http://127.0.0.1:${port}${BENCH_PATH}`;
  const headers = { authorization: `Bearer ${issued.key}` };
  await waitForHttp(url, child, { status: 401 }); // proves authentication is on
  await waitForHttp(url, child, { headers }); // and that the whole pipeline lets the bench agent through
  return {
    ok: true,
    target: {
      name: NAME,
      url,
      headers,
      notes: ['API key + Cedar + rate limit + audit (SQLite), 1 process, compiled dist/'],
      pid: child.pid,
      stop: () => child.stop(),
    },
  };
}
