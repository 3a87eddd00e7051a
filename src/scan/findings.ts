import { rank } from './report/verdict.ts';
import type { Evidence, Finding } from './types.ts';

const MAX_EVIDENCE = 5;

/**
 * One finding per rule and endpoint (per rule and title when there is no endpoint: "missing
 * header X" and "missing header Y" are different findings). Two checks reporting the same thing
 * keep the worse severity and pool their evidence.
 */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.endpoint ?? `title:${f.title}`}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...f, evidence: f.evidence.slice(0, MAX_EVIDENCE) });
      continue;
    }
    const worse = rank(f.severity) < rank(prev.severity) ? f : prev;
    byKey.set(key, { ...worse, evidence: mergeEvidence(worse === f ? [f.evidence, prev.evidence] : [prev.evidence, f.evidence]) });
  }
  return [...byKey.values()];
}

function mergeEvidence(lists: Evidence[][]): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const e of lists.flat()) {
    const k = `${e.request}\u0000${e.status ?? ''}`;
    if (seen.has(k) || out.length >= MAX_EVIDENCE) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/** Worst first; then by rule and endpoint, so reports are stable from run to run. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => rank(a.severity) - rank(b.severity) || a.rule.localeCompare(b.rule) || (a.endpoint ?? '').localeCompare(b.endpoint ?? '') || a.title.localeCompare(b.title));
}
