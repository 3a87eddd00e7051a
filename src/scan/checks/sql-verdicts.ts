import { clearlyDifferent, is2xx, moreThan, samePage, type Shape } from './response-shape.ts';
import { matchSqlError, type SqlDatabase } from './sql-signatures.ts';

// The decisions of the SQL injection check, as pure functions over responses (table-tested).

/**
 * Error-based: the payload's answer carries a SQL error the unmodified request's answer did not,
 * and the balanced control (`''`) does not — so the error is the quote we unbalanced. A numeric
 * parameter concatenated bare errors on `''` as well, so for it the clean baseline suffices.
 */
export function errorVerdict(baseline: Shape, payload: Shape, control: Shape | undefined, numeric: boolean): { db: SqlDatabase; excerpt: string } | undefined {
  const hit = matchSqlError(payload.body);
  if (!hit || matchSqlError(baseline.body)) return undefined;
  const controlErrs = control !== undefined && matchSqlError(control.body) !== undefined;
  if (controlErrs && !numeric) return undefined;
  return hit;
}

/**
 * Boolean differential: both true conditions give the same page, both false ones give the same
 * page, and true gives more than false. Two of each rule out a page that merely differs by the
 * literal text searched for (a tokenizing search, an echo); all four must be 2xx, because an error
 * for one of them is the error technique's business, not a differential.
 */
export function booleanVerdict(r: { trueA: Shape; trueB: Shape; falseA: Shape; falseB: Shape }): boolean {
  const all = [r.trueA, r.trueB, r.falseA, r.falseB];
  if (!all.every((x) => is2xx(x.status))) return false;
  return samePage(r.trueA, r.trueB) && samePage(r.falseA, r.falseB) && clearlyDifferent(r.trueA, r.falseA) && moreThan(r.trueA, r.falseA);
}

/** Elapsed times of a delay probe: asked `seconds`, answered slow, fast with 0, slow again. */
export interface DelayTimings {
  baselineMs: number;
  slowMs: number;
  zeroMs: number;
  againMs: number;
}

/** The delay only counts when it follows the payload both times and vanishes with a zero delay. */
export function delayVerdict(seconds: number, t: DelayTimings): boolean {
  const want = seconds * 1000;
  const slow = (ms: number): boolean => ms >= want * 0.9 && ms - t.baselineMs >= want * 0.8;
  return slow(t.slowMs) && slow(t.againMs) && t.zeroMs < t.baselineMs + want * 0.5;
}

/** A first answer slow enough to be worth confirming (cheap pre-filter before two more requests). */
export const looksDelayed = (seconds: number, baselineMs: number, ms: number): boolean => ms >= seconds * 900 && ms - baselineMs >= seconds * 800;
