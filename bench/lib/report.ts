import type { LoadResult } from '../load.ts';
import { cpuOf, paired, pairedLine, ratio } from './paired.ts';
import type { Memory } from './proc-status.ts';

// Turns measurements into the one markdown report the bench prints and saves.

export interface Row {
  name: string;
  notes: string[];
  result?: LoadResult;
  /** Every measured round, in order (`result` is the median one). */
  rounds?: LoadResult[];
  /** The same target at a fixed, non-saturating request rate. */
  fixed?: LoadResult;
  /** Why there is no result (not installed, failed to start, …). */
  skipped?: string;
}

export interface ReportInput {
  /** One line saying what was measured, under the section's heading. */
  intro: string;
  rows: Row[];
  direct?: LoadResult;
  bare?: Row;
  nginx: Row[];
  gatehouse?: Row;
  gatehouseMemory?: Memory;
  fixedRate: number;
  fixedRuns: number;
  connections: number;
}

const TARGET_VS_NGINX = 1.5;
const TARGET_VS_BARE = 0.7;
const TARGET_P99_ADDED_MS = 2;
const TARGET_RSS_MB = 200;

const clean = (r: LoadResult): boolean => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
const ms = (n: number): string => n.toFixed(2);

function tableRow(row: Row, direct?: LoadResult): string {
  const r = row.result;
  if (!r) return `| ${row.name} | – | – | – | – | – | – | skipped: ${row.skipped ?? 'no result'} |`;
  const notes = [...row.notes];
  if (!clean(r)) notes.unshift(`⚠ ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.total}`);
  const isDirect = r === direct;
  const toDirect = direct && !isDirect ? ratio(r.reqPerSec / direct.reqPerSec) : '1.00×';
  const added = direct && !isDirect ? `${r.p99Ms - direct.p99Ms >= 0 ? '+' : ''}${ms(r.p99Ms - direct.p99Ms)} ms` : '—';
  const cpu = row.rounds ? cpuOf(row.rounds) : undefined;
  return `| ${row.name} | ${Math.round(r.reqPerSec)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${cpu === undefined ? '–' : Math.round(cpu)} | ${direct ? toDirect : '–'} | ${direct ? added : '–'} | ${notes.join('; ')} |`;
}

/** [target, measured, same by server CPU per request, verdict] */
type Check = [label: string, measured: string, byCpu: string, verdict: string];

function verdict(ok: boolean, ...runs: Array<LoadResult | undefined>): string {
  if (runs.some((r) => r && !clean(r))) return 'FAIL (run had non-2xx/errors)';
  return ok ? 'PASS' : 'FAIL';
}

/** A throughput target against another row: the verdict on the ratio of median rounds, with the paired ratios beside it. */
function versus(label: string, target: number, gh: Row, other: Row, perRound: string[]): Check {
  const x = gh.result!.reqPerSec / other.result!.reqPerSec;
  const p = paired(gh.rounds ?? [], other.rounds ?? []);
  perRound.push(pairedLine(gh.name, other.name, p));
  return [label, ratio(x), p.byCpu === undefined ? '–' : ratio(p.byCpu), verdict(x >= target, gh.result, other.result)];
}

function checks(input: ReportInput, perRound: string[]): Check[] {
  const gh = input.gatehouse?.result;
  const na = (label: string, why: string): Check => [label, why, '–', 'n/a'];
  const out: Check[] = [];
  const noGh = input.gatehouse?.skipped ? `Gatehouse did not run: ${input.gatehouse.skipped}` : 'Gatehouse did not run';

  const ran = input.nginx.filter((n) => n.result);
  if (ran.length === 0) out.push(na(`throughput ≥ ${TARGET_VS_NGINX}× nginx auth_basic`, input.nginx[0]?.skipped ?? 'nginx did not run'));
  for (const n of ran) {
    const label = `throughput ≥ ${TARGET_VS_NGINX}× ${n.name}`;
    out.push(gh ? versus(label, TARGET_VS_NGINX, input.gatehouse!, n, perRound) : na(label, noGh));
  }

  const bareLabel = `throughput ≥ ${TARGET_VS_BARE}× bare Node proxy`;
  if (!gh || !input.bare?.result) out.push(na(bareLabel, !gh ? noGh : 'bare proxy did not run'));
  else out.push(versus(bareLabel, TARGET_VS_BARE, input.gatehouse!, input.bare, perRound));

  const p99Label = `p99 added over direct ≤ ${TARGET_P99_ADDED_MS} ms at ${input.connections} connections`;
  if (!gh || !input.direct) out.push(na(p99Label, noGh));
  else {
    const added = gh.p99Ms - input.direct.p99Ms;
    out.push([p99Label, `${ms(added)} ms`, '–', verdict(added <= TARGET_P99_ADDED_MS, gh, input.direct)]);
  }

  const fixedLabel = `${p99Label}, fixed ${input.fixedRate} req/s`;
  const ghFixed = input.gatehouse?.fixed;
  const directFixed = input.rows.find((r) => r.result === input.direct)?.fixed;
  if (!ghFixed || !directFixed) out.push(na(fixedLabel, gh ? 'fixed-rate pass off (BENCH_RATE_DURATION=0)' : noGh));
  else {
    const added = ghFixed.p99Ms - directFixed.p99Ms;
    out.push([fixedLabel, `${ms(added)} ms`, '–', verdict(added <= TARGET_P99_ADDED_MS, ghFixed, directFixed)]);
  }

  const mem = input.gatehouseMemory;
  const rssLabel = `RSS ≤ ${TARGET_RSS_MB} MB`;
  if (!mem) out.push(na(rssLabel, noGh));
  else out.push([rssLabel, `${mem.peakMb.toFixed(0)} MB peak`, '–', mem.peakMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL']);
  return out;
}

/** The gateway section of the report as markdown. */
export function renderReport(input: ReportInput): string {
  const lines = [
    '## Gateway',
    '',
    input.intro,
    '',
    '| target | req/s | p50 ms | p99 ms | server CPU µs/req | ratio to direct (req/s) | p99 added over direct | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...input.rows.map((row) => tableRow(row, input.direct)),
    '',
  ];
  const directFixed = input.rows.find((r) => r.result === input.direct)?.fixed;
  const fixedRows = input.rows.filter((r) => r.fixed);
  if (fixedRows.length > 0) {
    lines.push(
      `Latency at a fixed ${input.fixedRate} req/s, evenly paced (same ${input.connections} connections, not saturated; run with the lowest p99 of ${input.fixedRuns}):`,
      '',
      '| target | p50 ms | p99 ms | p99 added over direct | notes |',
      '| --- | ---: | ---: | ---: | --- |',
      ...fixedRows.map((r) => {
        const f = r.fixed!;
        const added = directFixed && f !== directFixed ? `${f.p99Ms - directFixed.p99Ms >= 0 ? '+' : ''}${ms(f.p99Ms - directFixed.p99Ms)} ms` : '—';
        const note = clean(f) ? `${Math.round(f.reqPerSec)} req/s achieved` : `⚠ ${f.non2xx} non-2xx, ${f.errors} errors`;
        return `| ${r.name} | ${ms(f.p50Ms)} | ${ms(f.p99Ms)} | ${added} | ${note} |`;
      }),
      '',
    );
  }
  const mem = input.gatehouseMemory;
  const perRound: string[] = [];
  const targetRows = checks(input, perRound);
  lines.push(
    mem
      ? `Gatehouse memory: peak RSS (VmHWM) ${mem.peakMb.toFixed(1)} MB, RSS after the run (VmRSS) ${mem.rssMb.toFixed(1)} MB.`
      : 'Gatehouse memory: not measured (Gatehouse did not run).',
    '',
    'Server CPU: user + system time of the server process (nginx: master and worker), all threads, per request (median round) — a cost, less disturbed by neighbours than req/s.',
    '',
    '### Gateway targets',
    '',
    '| target | measured | same, by server CPU per request | result (on req/s) |',
    '| --- | ---: | ---: | --- |',
    ...targetRows.map(([label, measured, byCpu, v]) => `| ${label} | ${measured} | ${byCpu} | ${v} |`),
    '',
    ...perRound,
    '',
  );
  return lines.join('\n');
}
