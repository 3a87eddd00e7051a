import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExitHandlers, runChild, startChild, stopAll, waitForHttp } from './lib/children.ts';
import { freePort } from './lib/ports.ts';
import { Measurer } from './lib/rounds.ts';
import { BENCH_PATH } from './lib/target.ts';
import { startGatehouse } from './targets/gatehouse.ts';

// What each pipeline stage costs inside the running gateway, under load (not a test, not part of
// `npm run bench`). A micro-benchmark of the stages (bench/pipeline-micro.ts) sees a warm loop; a
// server interleaves them with HTTP parsing, undici, GC and the audit thread, where they cost more.
// So: compile dist/ once, copy it once per variant with later stages cut out of the pipeline list
// in gateway/pipeline.js, and measure each copy through its CLI exactly as the gateway suite does,
// reading CPU per thread from /proc. Variants are cumulative (authenticate only, + authorize, …),
// measured in interleaved rounds. Usage: node bench/stage-costs.ts [seconds=8] [rounds=2]

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 2);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lines of the compiled pipeline.js that each later stage owns (matched by text, not line number). */
const STAGES: Array<[label: string, lines: RegExp[]]> = [
  ['+ authorize', [/^\s*authorize\(deps\),/]],
  ['+ rate limit', [/^\s*rateLimit\(deps\),/]],
  ['+ identity assertion', [/^\s*assertIdentity\(deps\),/]],
  ['+ audit (gate, record, metrics)', [/^\s*auditGate\(deps\),/, /^\s*writeAudit\(deps, ctx\);/]],
];

const tmpDir = await mkdtemp(join(tmpdir(), 'gatehouse-stage-costs-'));
// Inside the repository, so the copies resolve node_modules as dist/ does.
const variantsDir = join(repoRoot, '.stage-costs');
installExitHandlers(async () => {
  await rm(tmpDir, { recursive: true, force: true });
  await rm(variantsDir, { recursive: true, force: true });
});

try {
  await runChild('npm run build', process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json')]);
  const original = await readFile(join(repoRoot, 'dist/gateway/pipeline.js'), 'utf8');
  const variants: Array<{ label: string; cli: string }> = [];
  for (let keep = 0; keep <= STAGES.length; keep++) {
    const cut = STAGES.slice(keep).flatMap(([, lines]) => lines);
    const source = original.split('\n').filter((line) => !cut.some((re) => re.test(line))).join('\n');
    const removed = original.split('\n').length - source.split('\n').length;
    if (removed !== cut.length) throw new Error(`expected to cut ${cut.length} lines of dist/gateway/pipeline.js, cut ${removed}: has the pipeline changed?`);
    const dir = join(variantsDir, `v${keep}`);
    await cp(join(repoRoot, 'dist'), dir, { recursive: true });
    await writeFile(join(dir, 'gateway/pipeline.js'), source);
    variants.push({ label: keep === 0 ? 'canonicalize, route, sanitize, authenticate, forward' : STAGES[keep - 1]![0], cli: join(dir, 'cli/main.js') });
  }

  const upstreamPort = await freePort();
  const upstream = startChild('plain upstream', process.execPath, [join(repoRoot, 'bench/plain-upstream.ts'), String(upstreamPort)]);
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitForHttp(upstreamUrl + BENCH_PATH, upstream);
  const ctx = { tmpDir, upstreamUrl, node: process.execPath, repoRoot };
  const m = new Measurer(ctx, 50);
  const rows = new Map<string, Array<{ rps: number; main: number; writer: number; total: number }>>();
  for (let round = 1; round <= rounds; round++) {
    for (const v of variants) {
      process.env.BENCH_GATEHOUSE_CLI = v.cli;
      // A fresh directory (config, database, agent) per start.
      const started = await startGatehouse({ ...ctx, tmpDir: await mkdtemp(join(tmpDir, 'run-')) });
      if (!started.ok) throw new Error(started.reason);
      const t = started.target;
      await m.load({ ...m.spec(t), warmupSec: 2, durationSec: 1 });
      const { result: r, threads } = await m.measureByThread(t, seconds);
      if (!rows.has(v.label)) rows.set(v.label, []);
      rows.get(v.label)!.push({ rps: r.reqPerSec, main: threads.get('MainThread') ?? 0, writer: threads.get('WorkerThread') ?? 0, total: r.serverCpuUsPerReq ?? NaN });
      console.error(`round ${round}: ${v.label}: ${Math.round(r.reqPerSec)} req/s`);
      await t.stop();
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`GET ${BENCH_PATH} through Gatehouse (API key), 50 connections, ${rounds} interleaved rounds of ${seconds} s (means); CPU µs per request.\n`);
  console.log('| pipeline | req/s | request thread | audit writer thread | whole process |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const v of variants) {
    const rs = rows.get(v.label)!;
    console.log(`| ${v.label} | ${Math.round(mean(rs.map((r) => r.rps)))} | ${mean(rs.map((r) => r.main)).toFixed(1)} | ${mean(rs.map((r) => r.writer)).toFixed(1)} | ${mean(rs.map((r) => r.total)).toFixed(1)} |`);
  }
} finally {
  await stopAll();
  await rm(tmpDir, { recursive: true, force: true });
  await rm(variantsDir, { recursive: true, force: true });
}
