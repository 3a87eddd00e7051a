import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGatewaySuite } from './gateway-suite.ts';
import { installExitHandlers, interrupted, runChild, startChild, stopAll, waitForHttp } from './lib/children.ts';
import { renderOAuthSection } from './lib/oauth-report.ts';
import { freePort } from './lib/ports.ts';
import { Measurer } from './lib/rounds.ts';
import { BENCH_PATH } from './lib/target.ts';
import type { BenchContext } from './lib/target.ts';
import { runOAuthSuite } from './oauth-suite.ts';

// npm run bench: every server and the load generator in its own process, two suites:
//   gateway — the same GET load against the upstream alone, a bare Node proxy, nginx with the
//             article's auth_basic + limit_req, and Gatehouse's full pipeline (bench/gateway-suite.ts);
//   oauth   — token issuance on Gatehouse against oidc-provider, and the gateway with a JWT
//             against an API key (bench/oauth-suite.ts).
// Env: BENCH_ONLY (gateway | oauth | scan; default all; writes latest-<suite>.md instead of latest.md), BENCH_DURATION (s per round, default 5),
// BENCH_ROUNDS (gateway suite, default 3), BENCH_OAUTH_ROUNDS (oauth suite, default 5),
// BENCH_WARMUP (s, default 2), BENCH_ROUND_WARMUP (s of unmeasured load before each round, default 1), BENCH_CONNECTIONS (default 50), BENCH_RATE (req/s, default 1000),
// BENCH_RATE_DURATION (s per fixed-rate run, default 3; 0 = skip), BENCH_GATEHOUSE_CLI (default:
// the compiled dist/cli/main.js).

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const durationSec = Number(process.env.BENCH_DURATION ?? 5);
const warmupSec = Number(process.env.BENCH_WARMUP ?? 2);
const roundWarmupSec = Number(process.env.BENCH_ROUND_WARMUP ?? 1);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
// Two-way comparisons are cheap per round, and their verdicts hinge on one ratio: more rounds.
const oauthRounds = Number(process.env.BENCH_OAUTH_ROUNDS ?? 5);
// Second pass at a fixed rate every target sustains: at saturation, latency is mostly queueing
// (Little's law: connections / throughput), so this pass shows the cost a request itself adds.
const fixed = { rate: Number(process.env.BENCH_RATE ?? 1000), durationSec: Number(process.env.BENCH_RATE_DURATION ?? 3), runs: 3 };
const only = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  if (only !== undefined && only !== 'gateway' && only !== 'oauth' && only !== 'scan') throw new Error(`BENCH_ONLY must be gateway, oauth or scan, not ${JSON.stringify(only)}`);
  // Other work on the machine shows up as noise, in the p99 first: say so in the report.
  const loadAtStart = loadavg()[0] ?? 0;
  if (loadAtStart > 0.5) console.error(`note: load average is ${loadAtStart.toFixed(2)}; other processes will add noise`);
  const tmpDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
  installExitHandlers(() => rm(tmpDir, { recursive: true, force: true }));
  try {
    const upstreamPort = await freePort();
    const upstream = startChild('plain upstream', process.execPath, [join(repoRoot, 'bench/plain-upstream.ts'), String(upstreamPort)]);
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
    await waitForHttp(upstreamUrl + BENCH_PATH, upstream);
    const ctx: BenchContext = { tmpDir, upstreamUrl, node: process.execPath, repoRoot };
    const measurer = new Measurer(ctx, connections);

    const sections: string[] = [];
    if (only === undefined || only === 'gateway') sections.push(await runGatewaySuite(ctx, measurer, { rounds, durationSec, warmupSec, roundWarmupSec, connections }, fixed));
    if (only === undefined || only === 'oauth') sections.push(renderOAuthSection(await runOAuthSuite(ctx, measurer, { rounds: oauthRounds, durationSec, warmupSec, roundWarmupSec })));
    // Issue 4's speed target (a default scan of the ~20-endpoint fixture in under 60 s), in its own process.
    if (only === undefined || only === 'scan') sections.push(`## Scanner\n\n${(await runChild('scan speed', ctx.node, [join(repoRoot, 'bench/scan-speed.ts')])).stdout}`);

    const cpu = cpus();
    const header =
      `${new Date().toISOString()} · Node ${process.version} · ${cpu[0]?.model.trim() ?? 'cpu'} × ${cpu.length} · ${connections} connections · ` +
      'load generator (autocannon), upstream and each target in separate processes on the same machine ' +
      `(1-min load average at start: ${loadAtStart.toFixed(2)}; other work on the machine adds noise, the p99 first: compare rows of one run, not runs).`;
    const report = ['# Gatehouse benchmark', '', header, '', ...sections].join('\n');
    console.log(report);
    await mkdir(join(repoRoot, 'bench/results'), { recursive: true });
    // A partial run (BENCH_ONLY) never replaces the full report.
    const file = `bench/results/latest${only ? `-${only}` : ''}.md`;
    await writeFile(join(repoRoot, file), report);
    console.error(`written to ${file}`);
  } finally {
    await stopAll();
    await rm(tmpDir, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  if (interrupted()) return; // the signal handler reports and exits
  console.error(err instanceof Error ? err.message : err);
  await stopAll();
  process.exit(1);
});
