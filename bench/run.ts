import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load.ts';
import { installExitHandlers, interrupted, runChild, startChild, stopAll, waitForHttp } from './lib/children.ts';
import { freePort } from './lib/ports.ts';
import { readMemory } from './lib/proc-status.ts';
import type { Memory } from './lib/proc-status.ts';
import { renderReport } from './lib/report.ts';
import type { Row } from './lib/report.ts';
import { BENCH_PATH } from './lib/target.ts';
import type { BenchContext, Started } from './lib/target.ts';
import { startBareProxy } from './targets/bare-proxy.ts';
import { startDirect } from './targets/direct.ts';
import { startGatehouse } from './targets/gatehouse.ts';
import { startNginx } from './targets/nginx.ts';

// npm run bench: the same load against the upstream alone, a bare Node proxy, nginx with the
// article's auth_basic + limit_req, and Gatehouse's full pipeline; every server and the load
// generator in its own process. Env: BENCH_DURATION (s per round, default 5), BENCH_ROUNDS (default 3), BENCH_WARMUP (s, default 2),
// BENCH_CONNECTIONS (default 50), BENCH_RATE (req/s, default 1000), BENCH_RATE_DURATION (s per
// fixed-rate run, default 3; 0 = skip), BENCH_GATEHOUSE_CLI (default: the compiled dist/cli/main.js).

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const durationSec = Number(process.env.BENCH_DURATION ?? 5);
const warmupSec = Number(process.env.BENCH_WARMUP ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Second pass at a fixed rate every target sustains: at saturation, latency is mostly queueing
// (Little's law: connections / throughput), so this pass shows the cost a request itself adds.
// Best p99 of a few short runs: interference from other processes comes in bursts, and the
// quietest run is the closest to the target's own cost.
const fixedRate = Number(process.env.BENCH_RATE ?? 1000);
const fixedSec = Number(process.env.BENCH_RATE_DURATION ?? 3);
const fixedRuns = 3;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

type Kind = 'direct' | 'bare' | 'nginx' | 'gatehouse';
const TARGETS: Array<[Kind, string, (ctx: BenchContext) => Promise<Started>]> = [
  ['direct', 'direct', startDirect],
  ['bare', 'bare Node proxy', startBareProxy],
  ['nginx', 'nginx apr1', (ctx) => startNginx(ctx, 'apr1')],
  ['nginx', 'nginx {SHA}', (ctx) => startNginx(ctx, 'sha')],
  ['gatehouse', 'Gatehouse', startGatehouse],
];

async function load(ctx: BenchContext, spec: LoadSpec): Promise<LoadResult> {
  const { stdout } = await runChild('load generator', ctx.node, [join(repoRoot, 'bench/load.ts'), JSON.stringify(spec)]);
  return JSON.parse(stdout) as LoadResult;
}

async function bestFixedRate(ctx: BenchContext, base: Omit<LoadSpec, 'warmupSec' | 'durationSec'>): Promise<LoadResult | undefined> {
  let best: LoadResult | undefined;
  for (let i = 0; i < fixedRuns && fixedSec > 0; i++) {
    const r = await load(ctx, { ...base, warmupSec: 0, durationSec: fixedSec, overallRate: fixedRate });
    if (!best || r.p99Ms < best.p99Ms) best = r;
  }
  return best;
}

/** The round with the median throughput (its latencies belong to the same run). */
function median(runs: LoadResult[]): LoadResult | undefined {
  const sorted = [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

async function main(): Promise<void> {
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

    // Every target is started first and then measured in interleaved rounds (A B C D E, A B C D E, …):
    // this machine's speed drifts over minutes, and interleaving spreads the drift over all targets
    // instead of favouring whichever ran in a quiet minute. Each row reports the median round.
    const running: Array<{ kind: Kind; label: string; started: Started }> = [];
    for (const [kind, label, start] of TARGETS) {
      let started: Started;
      try {
        started = await start(ctx);
      } catch (err) {
        started = { ok: false, name: label, reason: `failed to start: ${(err as Error).message}` };
      }
      if (!started.ok) console.error(`skipping ${started.name}: ${started.reason}`);
      running.push({ kind, label, started });
    }
    const live = running.filter((r) => r.started.ok) as Array<{ kind: Kind; label: string; started: Extract<Started, { ok: true }> }>;
    const spec = (t: (typeof live)[number]) => ({ url: t.started.target.url, headers: t.started.target.headers, connections });
    const results = new Map<string, LoadResult[]>();
    const failed = new Map<string, string>();
    const attempt = async (t: (typeof live)[number], fn: () => Promise<void>) => {
      if (failed.has(t.label)) return;
      try {
        await fn();
      } catch (err) {
        if (interrupted()) throw err;
        console.error(`${t.started.target.name}: load failed: ${(err as Error).message}`);
        failed.set(t.label, `load failed: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    for (const t of live) await attempt(t, async () => void (await load(ctx, { ...spec(t), warmupSec, durationSec: 1 })));
    for (let round = 1; round <= rounds; round++) {
      for (const t of live) {
        console.error(`round ${round}/${rounds}: ${t.started.target.name}, ${durationSec}s at ${connections} connections…`);
        await attempt(t, async () => void (results.get(t.label) ?? results.set(t.label, []).get(t.label)!).push(await load(ctx, { ...spec(t), warmupSec: 0, durationSec })));
      }
    }
    const rows: Row[] = [];
    const byKind: Partial<Record<Kind, Row[]>> = {};
    let gatehouseMemory: Memory | undefined;
    for (const r of running) {
      let row: Row;
      if (!r.started.ok) row = { name: r.started.name, notes: [], skipped: r.started.reason.split('\n')[0] };
      else {
        const t = r as (typeof live)[number];
        console.error(`${t.started.target.name}: ${fixedRuns}×${fixedSec}s at ${fixedRate} req/s…`);
        let fixed: LoadResult | undefined;
        await attempt(t, async () => void (fixed = await bestFixedRate(ctx, spec(t))));
        const skipped = failed.get(t.label);
        row = skipped ? { name: t.started.target.name, notes: t.started.target.notes, skipped } : { name: t.started.target.name, notes: t.started.target.notes, result: median(results.get(t.label) ?? []), fixed };
        if (r.kind === 'gatehouse' && t.started.target.pid) gatehouseMemory = readMemory(t.started.target.pid);
        await t.started.target.stop();
      }
      rows.push(row);
      (byKind[r.kind] ??= []).push(row);
    }

    const cpu = cpus();
    const header =
      `${new Date().toISOString()} · Node ${process.version} · ${cpu[0]?.model.trim() ?? 'cpu'} × ${cpu.length} · ` +
      `GET ${BENCH_PATH} (~200 B JSON) · ${connections} connections · ${rounds} interleaved rounds of ${durationSec} s per target (median round shown) after ${warmupSec} s warm-up · ` +
      'load generator (autocannon), upstream and each target in separate processes on the same machine ' +
      `(1-min load average at start: ${loadAtStart.toFixed(2)}; other work on the machine adds noise, the p99 first: compare rows of one run, not runs).`;
    const report = renderReport({
      header,
      rows,
      direct: byKind.direct?.[0]?.result,
      bare: byKind.bare?.[0],
      nginx: byKind.nginx ?? [],
      gatehouse: byKind.gatehouse?.[0],
      gatehouseMemory,
      fixedRate,
      fixedRuns,
      connections,
    });
    console.log(report);
    await mkdir(join(repoRoot, 'bench/results'), { recursive: true });
    await writeFile(join(repoRoot, 'bench/results/latest.md'), report);
    console.error('written to bench/results/latest.md');
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
