import { clean } from '../cli/format.ts';
import type { DoctorReport } from './doctor.ts';
import type { DoctorCheck, DoctorStatus } from './types.ts';

const LABEL: Record<DoctorStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
const COLOUR: Record<DoctorStatus, string> = { pass: '\x1b[32m', warn: '\x1b[33m', fail: '\x1b[31m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/**
 * The text report, like the article's checklist script: a numbered heading per check, then
 * `PASS  …` / `WARN  …` / `FAIL  …` lines (details indented beneath), then the counts. Values that
 * came from the config or the store pass through `clean`, so they cannot drive the terminal.
 */
export function renderText(report: DoctorReport, checks: readonly DoctorCheck[], opts: { colour: boolean }): string {
  const paint = (code: string, text: string): string => (opts.colour ? `${code}${text}${RESET}` : text);
  const out: string[] = ['=== Gatehouse deployment check ==='];
  let n = 0;
  for (const check of checks) {
    const lines = report.checks.filter((l) => l.id === check.id);
    if (lines.length === 0) continue;
    out.push('', `[${++n}] ${check.title}`);
    for (const l of lines) {
      out.push(`${paint(COLOUR[l.status], LABEL[l.status])}  ${clean(l.message)}`);
      if (l.detail !== undefined && l.status !== 'pass') out.push(...l.detail.split('\n').map((d) => paint(DIM, `      ${clean(d)}`)));
    }
  }
  const { passed, warnings, failed } = report.summary;
  const summary = `${passed} passed, ${warnings} warnings, ${failed} failed`;
  out.push('', failed > 0 ? paint(COLOUR.fail, summary) : warnings > 0 ? paint(COLOUR.warn, summary) : paint(COLOUR.pass, summary));
  return `${out.join('\n')}\n`;
}

/** The --json document: every line with its check id, and the counts. */
export function renderJson(report: DoctorReport): string {
  const checks = report.checks.map((l) => ({ id: l.id, status: l.status, message: l.message, ...(l.detail === undefined ? {} : { detail: l.detail }) }));
  return `${JSON.stringify({ checks, summary: report.summary }, null, 2)}\n`;
}
