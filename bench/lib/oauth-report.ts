import type { LoadResult } from '../load.ts';
import { cpuOf as cpuOfRounds, paired, pairedLine, ratio } from './paired.ts';
import type { Row } from './report.ts';

// The token service's section of the report: issuance against oidc-provider, and the gateway
// with a JWT against the same gateway with an API key.

export interface OAuthRow extends Row {
  /** Every measured round, in order (the row's result is the median one). */
  rounds: LoadResult[];
}

export interface OAuthSection {
  rounds: number;
  durationSec: number;
  /** Unmeasured load before each round, s (0 = none). */
  roundWarmupSec: number;
  gatehouseIssuance: OAuthRow;
  oidcIssuance: OAuthRow;
  /** Reference: the least a Node token endpoint signing with jose can cost (bench/bare-issuer.ts). */
  bareIssuance: OAuthRow;
  apiKey: OAuthRow;
  jwt: OAuthRow;
}

const TARGET_ISSUANCE_VS_OIDC = 2;
const TARGET_JWT_VS_API_KEY = 0.9;

const clean = (r: LoadResult): boolean => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
const allClean = (row: OAuthRow): boolean => row.rounds.every(clean);
const cpuOf = (row: OAuthRow): number | undefined => cpuOfRounds(row.rounds);

function tableRow(row: OAuthRow): string {
  const r = row.result;
  if (!r) return `| ${row.name} | – | – | – | – | – | skipped: ${row.skipped ?? 'no result'} |`;
  const bad = row.rounds.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0);
  const total = row.rounds.reduce((n, x) => n + x.total, 0);
  const check = bad === 0 ? `0 of ${total}` : `⚠ ${bad} of ${total}`;
  const cpu = cpuOf(row);
  return `| ${row.name} | ${Math.round(r.reqPerSec)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${cpu === undefined ? '–' : Math.round(cpu)} | ${check} | ${row.notes.join('; ')} |`;
}

/** Ratio of medians (the verdict), plus the per-round and CPU ratios of paired.ts. */
function compare(label: string, target: number, a: OAuthRow, b: OAuthRow): { check: string[]; perRound: string } {
  if (!a.result || !b.result) return { check: [label, 'not measured', '–', 'n/a'], perRound: '' };
  const x = a.result.reqPerSec / b.result.reqPerSec;
  const p = paired(a.rounds, b.rounds);
  const ok = allClean(a) && allClean(b);
  const verdict = !ok ? 'FAIL (run had non-2xx/errors)' : x >= target ? 'PASS' : 'FAIL';
  return { check: [label, ratio(x), p.byCpu === undefined ? '–' : ratio(p.byCpu), verdict], perRound: pairedLine(a.name, b.name, p) };
}

/** The section as markdown lines (appended to the main report). */
export function renderOAuthSection(s: OAuthSection): string {
  const issuance = compare(`token issuance ≥ ${TARGET_ISSUANCE_VS_OIDC}× oidc-provider (req/s)`, TARGET_ISSUANCE_VS_OIDC, s.gatehouseIssuance, s.oidcIssuance);
  const floor = compare('bare jose issuer / oidc-provider', 0, s.bareIssuance, s.oidcIssuance);
  const gateway = compare(`gateway with JWT ≥ ${TARGET_JWT_VS_API_KEY}× with API key (req/s)`, TARGET_JWT_VS_API_KEY, s.jwt, s.apiKey);
  const head = '| target | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx + errors (all rounds) | notes |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |';
  return [
    '## Token service',
    '',
    `${s.rounds} interleaved rounds of ${s.durationSec} s (median round shown), every load in turn each round (every other round in reverse order)${s.roundWarmupSec ? `, each preceded by ${s.roundWarmupSec} s of unmeasured load` : ''}. ` +
      'Server CPU: user + system time of the server process, all threads (median round), per request — less sensitive to neighbours than req/s.',
    '',
    'Token issuance: `POST` `grant_type=client_credentials&scope=read&resource=…` with `Authorization: Basic` (client_secret_basic); both answer with an ES256-signed JWT access token.',
    '',
    head,
    tableRow(s.gatehouseIssuance),
    tableRow(s.oidcIssuance),
    tableRow(s.bareIssuance),
    '',
    issuance.perRound,
    floor.perRound,
    '',
    `Gateway: \`GET /api/agents\` through the same Gatehouse process, the route accepting both credentials (it names a resource).`,
    '',
    head,
    tableRow(s.apiKey),
    tableRow(s.jwt),
    '',
    gateway.perRound,
    '',
    '### Token-service targets',
    '',
    '| target | measured (req/s) | same, by server CPU per request | result (on req/s) |',
    '| --- | ---: | ---: | --- |',
    `| ${issuance.check.join(' | ')} |`,
    `| ${gateway.check.join(' | ')} |`,
    '',
  ].join('\n');
}
