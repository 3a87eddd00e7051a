import type { LoadResult } from '../load.ts';

// Comparing two targets measured in the same interleaved rounds. Their req/s drift together with the
// machine (neighbours, the load generator on the same cores), so besides the ratio of the median
// rounds the reports give the ratio within each round (paired runs seconds apart, so slow drift
// cancels) and the ratio of server CPU per request (a cost, not a throughput: less disturbed by
// whatever else the two cores are doing).

export const ratio = (x: number): string => `${x.toFixed(2)}×`;

export function medianOf(xs: number[]): number | undefined {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Median server CPU µs per request over the rounds that measured it. */
export function cpuOf(rounds: readonly LoadResult[]): number | undefined {
  return medianOf(rounds.map((x) => x.serverCpuUsPerReq).filter((n): n is number => n !== undefined));
}

export interface Paired {
  /** a's req/s over b's, round by round. */
  perRound: number[];
  /** b's server CPU per request over a's (> 1: a costs less), when both were measured. */
  byCpu: number | undefined;
}

export function paired(a: readonly LoadResult[], b: readonly LoadResult[]): Paired {
  const perRound = a.map((r, i) => (b[i] ? r.reqPerSec / b[i].reqPerSec : NaN)).filter((n) => Number.isFinite(n));
  const [cpuA, cpuB] = [cpuOf(a), cpuOf(b)];
  return { perRound, byCpu: cpuA !== undefined && cpuB !== undefined ? cpuB / cpuA : undefined };
}

/** "A / B, req/s round by round: …; by server CPU per request: …." */
export function pairedLine(aName: string, bName: string, p: Paired): string {
  const byCpu = p.byCpu === undefined ? '–' : ratio(p.byCpu);
  return `${aName} / ${bName}, req/s round by round: ${p.perRound.map(ratio).join(', ')} (median ${ratio(medianOf(p.perRound) ?? NaN)}); by server CPU per request: ${byCpu}.`;
}
