import type { Out } from './command.ts';

// Human output. Stored values (names, descriptions, audited paths) are shown through `clean`, so a
// hostile value cannot drive the operator's terminal with escape sequences.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Replaces control characters (incl. ESC) with `?`. */
export function clean(value: string): string {
  return value.replace(CONTROL, '?');
}

/** An epoch-ms time as ISO 8601 (seconds precision), or `-`. */
export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A list as `a,b`, or `-` when empty. */
export function list(values: readonly string[]): string {
  return values.length === 0 ? '-' : values.map(clean).join(',');
}

/** A left-aligned text table with a header row. */
export function table(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(clean))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** `key: value` lines with aligned values. */
export function fields(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)} ${clean(v)}\n`).join('');
}

/** Exactly one JSON document (the --json contract). */
export function printJson(out: Out, value: unknown): void {
  out.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
