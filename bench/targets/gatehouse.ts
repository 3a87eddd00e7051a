import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runChild, startChild, waitForHttp } from '../lib/children.ts';
import type { Child } from '../lib/children.ts';
import { basicAuth, FORM_HEADERS, requestToken, tokenRequestBody } from '../lib/oauth-check.ts';
import { freePort } from '../lib/ports.ts';
import { BENCH_PATH } from '../lib/target.ts';
import type { BenchContext, Started, TargetGroup } from '../lib/target.ts';

// Gatehouse with its whole request pipeline switched on, started exactly as an operator would:
// write gatehouse.yaml, provision an agent and a key with the CLI, run `gatehouse start`.
// Everything that depends on the CLI's interface is in this one file.

const NAME = 'Gatehouse (full pipeline)';
const AGENT = 'bench-agent';
// A limit no run can reach: the bucket is checked on every request but never refuses.
const neverTriggers = { rate: 1e6, burst: 1e6 };

/** The token service's part of the config (bench/oauth-suite.ts). */
export interface OAuthBenchOptions {
  resource: string;
  scope: string;
  ttlSeconds: number;
}

function benchConfig(dir: string, port: number, adminPort: number, upstreamUrl: string, oauth?: OAuthBenchOptions): object {
  return {
    server: { listen: { host: '127.0.0.1', port } },
    admin: { listen: { host: '127.0.0.1', port: adminPort } },
    store: { url: `sqlite:${join(dir, 'gh.db')}` },
    secrets: { serverSecretFile: join(dir, 'server.secret'), masterKeyFile: join(dir, 'master.key') },
    rateLimit: { perAgent: neverTriggers, perAddress: neverTriggers },
    // With oauth: the route names its resource, so it accepts API keys and JWTs alike; the token
    // endpoints' per-address limit (default 50 req/s) is lifted like the others.
    ...(oauth && { oauth: { resources: [{ uri: oauth.resource, scopes: [oauth.scope] }], accessTokenTtlSeconds: oauth.ttlSeconds, rateLimit: neverTriggers } }),
    routes: [{ id: 'api', path: '/api/*', upstream: upstreamUrl, ...(oauth && { resource: oauth.resource }) }],
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

let built: Promise<string> | undefined;

/** The CLI to run: dist/ compiled once per bench run, or BENCH_GATEHOUSE_CLI. */
function cliPath(ctx: BenchContext): Promise<string> {
  // Measured as deployed: the compiled package (npm run build → dist/), not TypeScript stripped at
  // load time. BENCH_GATEHOUSE_CLI can point at another entry point (e.g. src/cli/main.ts).
  const fromEnv = process.env.BENCH_GATEHOUSE_CLI;
  if (fromEnv !== undefined) return Promise.resolve(fromEnv);
  built ??= runChild('npm run build', ctx.node, [join(ctx.repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(ctx.repoRoot, 'tsconfig.build.json')]).then(() => join(ctx.repoRoot, 'dist/cli/main.js'));
  return built;
}

interface Launched {
  child: Child;
  port: number;
  apiKeyHeaders: Record<string, string>;
  clientSecret?: string;
}

/** Write the config, provision the agent with the CLI, start Gatehouse; undefined if the CLI is missing. */
async function launch(ctx: BenchContext, dirName: string, oauth?: OAuthBenchOptions): Promise<Launched | string> {
  const cli = await cliPath(ctx);
  if (!existsSync(cli)) return `${cli} does not exist`;

  const dir = join(ctx.tmpDir, dirName);
  await mkdir(dir, { recursive: true });
  const [port, adminPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'gatehouse.yaml');
  await writeFile(configFile, stringify(benchConfig(dir, port, adminPort, ctx.upstreamUrl, oauth)));

  // The config file is the whole truth for this run: drop GATEHOUSE_* overrides from the caller.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  env.NODE_ENV = 'production';
  const gatehouse = (...args: string[]) => runChild(`gatehouse ${args.slice(0, 2).join(' ')}`, ctx.node, [cli, '--config', configFile, ...args], env);

  const oauthArgs = oauth ? ['--scope', oauth.scope, '--auth-method', 'client_secret_basic'] : [];
  await gatehouse('agents', 'create', AGENT, '--label', 'bench', ...oauthArgs, '--json');
  const issued = parseJson('keys issue', (await gatehouse('keys', 'issue', AGENT, '--json')).stdout);
  if (typeof issued.key !== 'string') throw new Error('keys issue --json printed no "key" field');
  let clientSecret: string | undefined;
  if (oauth) {
    const secret = parseJson('client-secrets issue', (await gatehouse('client-secrets', 'issue', AGENT, '--json')).stdout);
    if (typeof secret.secret !== 'string') throw new Error('client-secrets issue --json printed no "secret" field');
    clientSecret = secret.secret;
  }

  // The same V8 settings and malloc tuning `npm start` and bin/gatehouse.js use (see docs/benchmarks.md).
  env.MALLOC_ARENA_MAX = '2';
  env.MALLOC_MMAP_THRESHOLD_ = '131072';
  // BENCH_GATEHOUSE_NODE_ARGS adds flags for a look inside, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.BENCH_GATEHOUSE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = startChild('gatehouse start', ctx.node, ['--max-semi-space-size=4', '--heap-growing-percent=50', ...extra, cli, '--config', configFile, 'start'], env);
  await waitForHttp(`http://127.0.0.1:${adminPort}/readyz`, child);
  const apiKeyHeaders = { authorization: `Bearer ${issued.key}` };
  const url = `http://127.0.0.1:${port}${BENCH_PATH}`;
  await waitForHttp(url, child, { status: 401 }); // proves authentication is on
  await waitForHttp(url, child, { headers: apiKeyHeaders }); // and that the whole pipeline lets the bench agent through
  return { child, port, apiKeyHeaders, clientSecret };
}

/** Start Gatehouse via its CLI with API-key auth, Cedar policy, per-agent rate limit and audit. */
export async function startGatehouse(ctx: BenchContext): Promise<Started> {
  const launched = await launch(ctx, 'gatehouse');
  if (typeof launched === 'string') return { ok: false, name: NAME, reason: launched };
  const { child, port, apiKeyHeaders } = launched;
  return {
    ok: true,
    target: {
      name: NAME,
      url: `http://127.0.0.1:${port}${BENCH_PATH}`,
      headers: apiKeyHeaders,
      notes: ['API key + Cedar + rate limit + audit (SQLite), 1 process, compiled dist/'],
      pid: child.pid,
      stop: () => child.stop(),
    },
  };
}

/**
 * One Gatehouse process with the token service on: `issuance` (POST /oauth/token,
 * client_credentials with client_secret_basic) and the same GET route with an API key (`apiKey`)
 * or with a JWT access token obtained once from that endpoint (`jwt`).
 */
export async function startGatehouseOAuth(ctx: BenchContext, oauth: OAuthBenchOptions): Promise<TargetGroup | string> {
  const launched = await launch(ctx, 'gatehouse-oauth', oauth);
  if (typeof launched === 'string') return launched;
  const { child, port, apiKeyHeaders, clientSecret } = launched;
  const base = `http://127.0.0.1:${port}`;
  const issuanceHeaders = { ...FORM_HEADERS, authorization: basicAuth(AGENT, clientSecret!) };
  const body = tokenRequestBody(oauth.resource, oauth.scope);
  const token = await requestToken(`${base}/oauth/token`, issuanceHeaders, body, oauth.resource);
  const jwtHeaders = { authorization: `Bearer ${token}` };
  await waitForHttp(base + BENCH_PATH, child, { headers: jwtHeaders }); // the route takes the JWT
  const noStop = async (): Promise<void> => {};
  const pid = child.pid;
  const pipeline = 'Cedar + rate limit + audit (SQLite), 1 process, compiled dist/';
  return {
    pid: child.pid,
    stop: () => child.stop(),
    targets: {
      issuance: {
        name: 'Gatehouse /oauth/token', url: `${base}/oauth/token`, method: 'POST', body, headers: issuanceHeaders, pid, stop: noStop,
        notes: ['client_secret_basic (HMAC-SHA-256 keyed hash; agent and secret from SQLite via the change-stamped cache) → ES256 at+jwt; rate limit + audit (SQLite), 1 process, compiled dist/'],
      },
      apiKey: { name: 'Gatehouse, API key', url: base + BENCH_PATH, headers: apiKeyHeaders, pid, stop: noStop, notes: [`API key + ${pipeline}`] },
      jwt: { name: 'Gatehouse, JWT', url: base + BENCH_PATH, headers: jwtHeaders, pid, stop: noStop, notes: [`ES256 JWT (one token, ${oauth.ttlSeconds} s) + ${pipeline}`] },
    },
  };
}
