import { DOCTOR_CHECKS } from './checks/registry.ts';
import type { CheckResult, DoctorCheck, DoctorContext, DoctorStatus } from './types.ts';

/** One report line: a check's result under that check's id. */
export interface DoctorLine extends CheckResult {
  id: string;
}

export interface DoctorSummary {
  passed: number;
  warnings: number;
  failed: number;
}

export interface DoctorReport {
  checks: DoctorLine[];
  summary: DoctorSummary;
}

/**
 * Runs every check (concurrently: most of the time is spent waiting on probes) and keeps the
 * registry's order in the report. A check that throws is a FAIL carrying the error: the doctor
 * never reports a layer as fine because looking at it went wrong.
 */
export async function runDoctor(ctx: DoctorContext, checks: readonly DoctorCheck[] = DOCTOR_CHECKS): Promise<DoctorReport> {
  const results = await Promise.all(checks.map(async (check) => {
    try {
      return (await check.run(ctx)).map((r) => ({ id: check.id, ...r }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return [{ id: check.id, status: 'fail' as const, message: `${check.title}: the check itself failed: ${message.split('\n')[0]}`, detail: 'The doctor could not verify this layer, so it is reported as failing.' }];
    }
  }));
  const lines = results.flat();
  return { checks: lines, summary: summarize(lines) };
}

export function summarize(lines: ReadonlyArray<{ status: DoctorStatus }>): DoctorSummary {
  const count = (s: DoctorStatus): number => lines.filter((l) => l.status === s).length;
  return { passed: count('pass'), warnings: count('warn'), failed: count('fail') };
}

/** Exit code: 1 when any line failed, else 0 (warnings do not fail a run). */
export function exitCodeOf(report: DoctorReport): number {
  return report.summary.failed > 0 ? 1 : 0;
}
