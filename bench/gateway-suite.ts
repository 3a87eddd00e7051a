import { BENCH_PATH } from './lib/target.ts';
import type { BenchContext, Started, Target } from './lib/target.ts';
import type { LoadResult } from './load.ts';
import { readMemory } from './lib/proc-status.ts';
import type { Memory } from './lib/proc-status.ts';
import { renderReport } from './lib/report.ts';
import type { Row } from './lib/report.ts';
import { median } from './lib/rounds.ts';
import type { Measurer, RoundOptions } from './lib/rounds.ts';
import { startBareProxy } from './targets/bare-proxy.ts';
import { startDirect } from './targets/direct.ts';
import { startGatehouse } from './targets/gatehouse.ts';
import { startNginx } from './targets/nginx.ts';

// The gateway comparison: the same GET load against the upstream alone, a bare Node proxy, nginx
// with the article's auth_basic + limit_req, and Gatehouse's full pipeline (API key).

type Kind = 'direct' | 'bare' | 'nginx' | 'gatehouse';
const TARGETS: Array<[Kind, string, (ctx: BenchContext) => Promise<Started>]> = [
  ['direct', 'direct', startDirect],
  ['bare', 'bare Node proxy', startBareProxy],
  ['nginx', 'nginx apr1', (ctx) => startNginx(ctx, 'apr1')],
  ['nginx', 'nginx {SHA}', (ctx) => startNginx(ctx, 'sha')],
  ['gatehouse', 'Gatehouse', startGatehouse],
];

export interface FixedRate {
  /** Evenly paced req/s of the second pass. */
  rate: number;
  /** Seconds per fixed-rate run; 0 = skip the pass. */
  durationSec: number;
  runs: number;
}

/** Best p99 of a few short runs at a fixed rate (interference comes in bursts; the quietest run is the closest to the target's own cost). */
async function bestFixedRate(m: Measurer, t: Target, f: FixedRate): Promise<LoadResult | undefined> {
  let best: LoadResult | undefined;
  for (let i = 0; i < f.runs && f.durationSec > 0; i++) {
    const r = await m.load({ ...m.spec(t), warmupSec: 0, durationSec: f.durationSec, overallRate: f.rate });
    if (!best || r.p99Ms < best.p99Ms) best = r;
  }
  return best;
}

/** Start every target, measure in interleaved rounds, then a fixed-rate pass per target; the section as markdown. */
export async function runGatewaySuite(ctx: BenchContext, m: Measurer, o: RoundOptions & { connections: number }, fixed: FixedRate): Promise<string> {
  const running: Array<{ kind: Kind; started: Started }> = [];
  for (const [kind, label, start] of TARGETS) {
    let started: Started;
    try {
      started = await start(ctx);
    } catch (err) {
      started = { ok: false, name: label, reason: `failed to start: ${(err as Error).message}` };
    }
    if (!started.ok) console.error(`skipping ${started.name}: ${started.reason}`);
    running.push({ kind, started });
  }
  const live = running.flatMap((r) => (r.started.ok ? [r.started.target] : []));
  const results = await m.interleave(live, o);

  const rows: Row[] = [];
  const byKind: Partial<Record<Kind, Row[]>> = {};
  let gatehouseMemory: Memory | undefined;
  for (const r of running) {
    let row: Row;
    if (!r.started.ok) row = { name: r.started.name, notes: [], skipped: r.started.reason.split('\n')[0] };
    else {
      const t = r.started.target;
      console.error(`${t.name}: ${fixed.runs}×${fixed.durationSec}s at ${fixed.rate} req/s…`);
      let fixedResult: LoadResult | undefined;
      await m.attempt(t, async () => void (fixedResult = await bestFixedRate(m, t, fixed)));
      const skipped = m.failed.get(t);
      row = skipped ? { name: t.name, notes: t.notes, skipped } : { name: t.name, notes: t.notes, result: median(results.get(t) ?? []), rounds: results.get(t) ?? [], fixed: fixedResult };
      if (r.kind === 'gatehouse' && t.pid) gatehouseMemory = readMemory(t.pid);
      await t.stop();
    }
    rows.push(row);
    (byKind[r.kind] ??= []).push(row);
  }
  return renderReport({
    intro: `GET ${BENCH_PATH} (~200 B JSON) · ${o.connections} connections · ${o.rounds} interleaved rounds of ${o.durationSec} s per target (median round shown) after ${o.warmupSec} s warm-up${o.roundWarmupSec ? `; each round preceded by ${o.roundWarmupSec} s of unmeasured load` : ''}.`,
    rows,
    direct: byKind.direct?.[0]?.result,
    bare: byKind.bare?.[0],
    nginx: byKind.nginx ?? [],
    gatehouse: byKind.gatehouse?.[0],
    gatehouseMemory,
    fixedRate: fixed.rate,
    fixedRuns: fixed.runs,
    connections: o.connections,
  });
}
