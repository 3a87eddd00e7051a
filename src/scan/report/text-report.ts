import { oneLine } from '../redact.ts';
import { SEVERITIES, type Endpoint, type Finding, type ScanReport } from '../types.ts';

const MAX_ENDPOINT_LINES = 200;
const MAX_EVIDENCE = 3;

function inventory(endpoints: readonly Endpoint[]): string[] {
  const lines = [`Endpoint inventory (${endpoints.length})`];
  const width = Math.min(48, Math.max(0, ...endpoints.map((e) => e.path.length)));
  for (const e of endpoints.slice(0, MAX_ENDPOINT_LINES)) {
    const params = e.params.map((p) => `${p.in}:${p.name}${p.example === undefined ? '' : `=${p.example}`}`).join(' ');
    lines.push(`  ${e.method.padEnd(7)} ${e.path.padEnd(width)}  ${e.source}${params ? `  ${params}` : ''}`.trimEnd());
  }
  if (endpoints.length > MAX_ENDPOINT_LINES) lines.push(`  … and ${endpoints.length - MAX_ENDPOINT_LINES} more (see --json)`);
  return lines;
}

function finding(f: Finding): string[] {
  const lines = [`  ● ${f.title}`, `    rule: ${f.rule}${f.endpoint === undefined ? '' : ` · endpoint: ${f.endpoint}`}`];
  for (const e of f.evidence.slice(0, MAX_EVIDENCE)) {
    lines.push(`    evidence: ${e.request}${e.status === undefined ? '' : ` → ${e.status === 0 ? 'no answer' : e.status}`}`);
    if (e.response !== undefined) lines.push(`              ${e.response}`);
    if (e.note !== undefined) lines.push(`              (${e.note})`);
  }
  if (f.evidence.length > MAX_EVIDENCE) lines.push(`    (+${f.evidence.length - MAX_EVIDENCE} more in --json)`);
  lines.push(`    fix: ${f.remediation}`);
  return lines;
}

/** `1 critical · 3 high · …`, every severity listed so a zero is visible too. */
export function severityCounts(findings: readonly Finding[]): string {
  return SEVERITIES.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(' · ');
}

/**
 * The human report printed after the live timeline: the inventory, findings grouped by severity
 * (each with its evidence and fix), a summary line, and the verdict as the very last line so
 * `tail -1` in CI shows it. Every value passes through `oneLine`: titles and excerpts quote the
 * target, which must not be able to drive the operator's terminal.
 */
export function renderText(report: ScanReport): string {
  const lines: string[] = ['', ...inventory(report.endpoints), ''];
  if (report.findings.length === 0) lines.push('Findings: none');
  else {
    lines.push(`Findings (${report.findings.length})`);
    for (const severity of SEVERITIES) {
      const group = report.findings.filter((f) => f.severity === severity);
      if (group.length === 0) continue;
      lines.push('', `${severity.toUpperCase()} (${group.length})`);
      for (const f of group) lines.push(...finding(f));
    }
  }
  const seconds = (report.durationMs / 1000).toFixed(1);
  lines.push(
    '',
    `Summary: ${severityCounts(report.findings)} — ${report.endpoints.length} endpoints, ${report.requestsSent} requests in ${seconds} s`,
    `Verdict: ${report.verdict.text}`,
  );
  return `${lines.map(oneLine).join('\n')}\n`;
}
