import { SEVERITIES, type Finding, type ScanReport, type Severity } from '../types.ts';

const TEXT: Record<Severity | 'pass', string> = {
  critical: 'CRITICAL — complete system compromise possible',
  high: 'HIGH — sensitive data or actions are exposed to anyone who can reach the API',
  medium: 'MEDIUM — weaknesses that make an attack easier; fix them before exposing the API',
  low: 'LOW — hardening recommended',
  info: 'PASS — no findings at or above low',
  pass: 'PASS — no findings at or above low',
};

/** Rule ids the scanner itself uses when it could not finish (see scanner.ts). */
export const INCOMPLETE_RULES = new Set(['scan-incomplete', 'check-failed']);

/** Index into SEVERITIES: 0 = critical … 4 = info. */
export const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/**
 * The one-line verdict: the worst severity found. Info findings alone pass. A scan that could not
 * finish says so, because a PASS from half a scan is not a PASS.
 */
export function verdict(findings: readonly Finding[]): ScanReport['verdict'] {
  const worst = findings.reduce<Severity | undefined>((w, f) => (w === undefined || rank(f.severity) < rank(w) ? f.severity : w), undefined);
  const level: Severity | 'pass' = worst === undefined || worst === 'info' ? 'pass' : worst;
  const failed = findings.filter((f) => f.rule === 'check-failed').length;
  const notes = [
    ...(findings.some((f) => f.rule === 'scan-incomplete') ? ['scan incomplete'] : []),
    ...(failed > 0 ? [`${failed} check${failed === 1 ? '' : 's'} failed`] : []),
  ];
  return { level, text: notes.length === 0 ? TEXT[level] : `${TEXT[level]} (${notes.join('; ')})` };
}

/** True when any finding is at or above `threshold` (the --fail-on exit code). */
export function failsAt(findings: readonly Finding[], threshold: Severity | 'none'): boolean {
  if (threshold === 'none') return false;
  return findings.some((f) => rank(f.severity) <= rank(threshold));
}
