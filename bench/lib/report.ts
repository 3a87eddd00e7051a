import type { LoadResult } from '../load.ts';
import type { Memory } from './proc-status.ts';

// Turns measurements into the one markdown report the bench prints and saves.

export interface Row {
  name: string;
  notes: string[];
  result?: LoadResult;
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
  if (!r) return `| ${row.name} | – | – | – | – | – | skipped: ${row.skipped ?? 'no result'} |`;
  const notes = [...row.notes];
  if (!clean(r)) notes.unshift(`⚠ ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.total}`);
  const isDirect = r === direct;
  const ratio = direct && !isDirect ? `${(r.reqPerSec / direct.reqPerSec).toFixed(2)}×` : '1.00×';
  const added = direct && !isDirect ? `${r.p99Ms - direct.p99Ms >= 0 ? '+' : ''}${ms(r.p99Ms - direct.p99Ms)} ms` : '—';
  return `| ${row.name} | ${Math.round(r.reqPerSec)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${direct ? ratio : '–'} | ${direct ? added : '–'} | ${notes.join('; ')} |`;
}

type Check = [label: string, measured: string, verdict: string];

function verdict(ok: boolean, ...runs: Array<LoadResult | undefined>): string {
  if (runs.some((r) => r && !clean(r))) return 'FAIL (run had non-2xx/errors)';
  return ok ? 'PASS' : 'FAIL';
}

function checks(input: ReportInput): Check[] {
  const gh = input.gatehouse?.result;
  const na = (label: string, why: string): Check => [label, why, 'n/a'];
  const out: Check[] = [];
  const noGh = input.gatehouse?.skipped ? `Gatehouse did not run: ${input.gatehouse.skipped}` : 'Gatehouse did not run';

  const ran = input.nginx.filter((n) => n.result);
  if (ran.length === 0) out.push(na(`throughput ≥ ${TARGET_VS_NGINX}× nginx auth_basic`, input.nginx[0]?.skipped ?? 'nginx did not run'));
  for (const n of ran) {
    const label = `throughput ≥ ${TARGET_VS_NGINX}× ${n.name}`;
    if (!gh) out.push(na(label, noGh));
    else {
      const x = gh.reqPerSec / n.result!.reqPerSec;
      out.push([label, `${x.toFixed(2)}×`, verdict(x >= TARGET_VS_NGINX, gh, n.result)]);
    }
  }

  const bare = input.bare?.result;
  const bareLabel = `throughput ≥ ${TARGET_VS_BARE}× bare Node proxy`;
  if (!gh || !bare) out.push(na(bareLabel, !gh ? noGh : 'bare proxy did not run'));
  else {
    const x = gh.reqPerSec / bare.reqPerSec;
    out.push([bareLabel, `${x.toFixed(2)}×`, verdict(x >= TARGET_VS_BARE, gh, bare)]);
  }

  const p99Label = `p99 added over direct ≤ ${TARGET_P99_ADDED_MS} ms at ${input.connections} connections`;
  if (!gh || !input.direct) out.push(na(p99Label, noGh));
  else {
    const added = gh.p99Ms - input.direct.p99Ms;
    out.push([p99Label, `${ms(added)} ms`, verdict(added <= TARGET_P99_ADDED_MS, gh, input.direct)]);
  }

  const fixedLabel = `${p99Label}, fixed ${input.fixedRate} req/s`;
  const ghFixed = input.gatehouse?.fixed;
  const directFixed = input.rows.find((r) => r.result === input.direct)?.fixed;
  if (!ghFixed || !directFixed) out.push(na(fixedLabel, gh ? 'fixed-rate pass off (BENCH_RATE_DURATION=0)' : noGh));
  else {
    const added = ghFixed.p99Ms - directFixed.p99Ms;
    out.push([fixedLabel, `${ms(added)} ms`, verdict(added <= TARGET_P99_ADDED_MS, ghFixed, directFixed)]);
  }

  const mem = input.gatehouseMemory;
  const rssLabel = `RSS ≤ ${TARGET_RSS_MB} MB`;
  if (!mem) out.push(na(rssLabel, noGh));
  else out.push([rssLabel, `${mem.peakMb.toFixed(0)} MB peak`, mem.peakMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL']);
  return out;
}

/** The gateway section of the report as markdown. */
export function renderReport(input: ReportInput): string {
  const lines = [
    '## Gateway',
    '',
    input.intro,
    '',
    '| target | req/s | p50 ms | p99 ms | ratio to direct (req/s) | p99 added over direct | notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
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
  lines.push(
    mem
      ? `Gatehouse memory: peak RSS (VmHWM) ${mem.peakMb.toFixed(1)} MB, RSS after the run (VmRSS) ${mem.rssMb.toFixed(1)} MB.`
      : 'Gatehouse memory: not measured (Gatehouse did not run).',
    '',
    '### Gateway targets',
    '',
    '| target | measured | result |',
    '| --- | ---: | --- |',
    ...checks(input).map(([label, measured, v]) => `| ${label} | ${measured} | ${v} |`),
    '',
  );
  return lines.join('\n');
}
