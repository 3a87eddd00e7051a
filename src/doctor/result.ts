import type { CheckResult } from './types.ts';

// Line constructors, so checks read as a list of verdicts.

export const pass = (message: string, detail?: string): CheckResult => (detail === undefined ? { status: 'pass', message } : { status: 'pass', message, detail });
export const warn = (message: string, detail?: string): CheckResult => (detail === undefined ? { status: 'warn', message } : { status: 'warn', message, detail });
export const fail = (message: string, detail?: string): CheckResult => (detail === undefined ? { status: 'fail', message } : { status: 'fail', message, detail });

/** `1 record`, `3 records`. */
export const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** File permission bits as `0644`. */
export const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** A duration as `3d 4h`, `5h 10m`, `12m` or `40s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}
