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

/**
 * Short runs at a fixed rate, interleaved across targets like the saturating rounds (A B C, A B C,
 * …), and each target's best p99: interference comes in bursts, so the quietest run is the closest
 * to the target's own cost, and interleaving gives every target the same chance of a quiet one.
 */
async function bestFixedRates(m: Measurer, targets: Target[], f: FixedRate): Promise<Map<Target, LoadResult>> {
  const best = new Map<Target, LoadResult>();
  for (let i = 1; i <= f.runs && f.durationSec > 0; i++) {
    for (const t of targets) {
      console.error(`fixed rate ${i}/${f.runs}: ${t.name}, ${f.durationSec}s at ${f.rate} req/s…`);
      await m.attempt(t, async () => {
        const r = await m.load({ ...m.spec(t), warmupSec: 0, durationSec: f.durationSec, overallRate: f.rate });
        const b = best.get(t);
        if (!b || r.p99Ms < b.p99Ms) best.set(t, r);
      });
    }
  }
  return best;
}

/** Start every target, measure in interleaved rounds, then interleaved fixed-rate runs; the section as markdown. */
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
  const fixedResults = await bestFixedRates(m, live.filter((t) => !m.failed.has(t)), fixed);

  const rows: Row[] = [];
  const byKind: Partial<Record<Kind, Row[]>> = {};
  let gatehouseMemory: Memory | undefined;
  for (const r of running) {
    let row: Row;
    if (!r.started.ok) row = { name: r.started.name, notes: [], skipped: r.started.reason.split('\n')[0] };
    else {
      const t = r.started.target;
      const skipped = m.failed.get(t);
      row = skipped ? { name: t.name, notes: t.notes, skipped } : { name: t.name, notes: t.notes, result: median(results.get(t) ?? []), rounds: results.get(t) ?? [], fixed: fixedResults.get(t) };
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
