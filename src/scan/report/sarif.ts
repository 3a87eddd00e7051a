import { createHash } from 'node:crypto';
import type { Finding, ScanReport, Severity } from '../types.ts';
import { rank } from './verdict.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://github.com/gatehouse/gatehouse/blob/main/docs/scan.md'; // docs/scan.md in this package

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
// GitHub code scanning ranks security alerts by this (CVSS-like, 0–10) rule property.
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

// Names for the rules the scanner and its checks use; anything else gets its id, humanised.
const RULE_NAMES: Record<string, string> = {
  'exposed-api-docs': 'API documentation readable without authentication',
  'exposed-env-file': 'Environment file served to anyone',
  'exposed-git-metadata': 'Git metadata served to anyone',
  'unauthenticated-access': 'Endpoint answers without authentication',
  'unauthenticated-write': 'Write operation accepted without authentication',
  'auth-bypass': 'Authentication bypass',
  'sql-injection': 'SQL injection',
  'rate-limit': 'No rate limiting',
  'verbose-errors': 'Verbose errors and stack traces',
  cors: 'CORS reflects any origin with credentials',
  'security-headers': 'Missing or weak security headers',
  transport: 'Plain HTTP or weak TLS',
  'secrets-in-responses': 'Secrets in responses',
  'binding-exposure': 'Service listens on all interfaces',
  'scan-incomplete': 'Scan incomplete',
  'check-failed': 'Check could not finish',
};

const words = (id: string): string => id.replace(/[-_/]+/g, ' ');

/** `cors/credentialed-reflection` → "CORS reflects any origin with credentials (credentialed reflection)". */
function humanise(id: string): string {
  const slash = id.indexOf('/');
  const family = slash < 0 ? undefined : RULE_NAMES[id.slice(0, slash)];
  const text = RULE_NAMES[id] ?? (family === undefined ? words(id) : `${family} (${words(id.slice(slash + 1))})`);
  return text.replace(/^./, (c) => c.toUpperCase());
}

/** The endpoint's URL: `GET /api/agents/{id}` on http://h:1 → http://h:1/api/agents/%7Bid%7D. */
function endpointUri(report: ScanReport, f: Finding): string {
  const path = f.endpoint?.split(' ').slice(1).join(' ');
  if (path === undefined || !path.startsWith('/')) return report.target;
  return new URL(path, report.target).href;
}

/**
 * SARIF 2.1.0 for CI code scanning: one run, one rule per rule id (its level from the worst finding
 * under it, its help from the remediation), one result per finding located at the endpoint's URL
 * and as a logical location `METHOD /path`. The partial fingerprint keeps an alert stable across
 * scans so CI can tell new from fixed.
 */
export function toSarif(report: ScanReport, toolVersion?: string): Record<string, unknown> {
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))];
  const rules = ruleIds.map((id) => {
    const under = report.findings.filter((f) => f.rule === id);
    const worst = under.reduce((w, f) => (rank(f.severity) < rank(w.severity) ? f : w));
    return {
      id, name: id.replace(/(^|[-_])(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
      shortDescription: { text: humanise(id) },
      help: { text: worst.remediation },
      defaultConfiguration: { level: LEVEL[worst.severity] },
      properties: { tags: ['security', 'gatehouse-scan'], 'security-severity': SECURITY_SEVERITY[worst.severity] },
    };
  });
  const results = report.findings.map((f) => {
    const first = f.evidence[0];
    const evidence = first === undefined ? '' : ` Evidence: ${first.request}${first.status === undefined ? '' : ` → ${first.status}`}.`;
    return {
      ruleId: f.rule, ruleIndex: ruleIds.indexOf(f.rule), level: LEVEL[f.severity],
      message: { text: `${f.title}.${evidence}` },
      locations: [{
        physicalLocation: { artifactLocation: { uri: endpointUri(report, f) } },
        logicalLocations: [{ name: f.endpoint ?? report.target, fullyQualifiedName: `${report.target} ${f.endpoint ?? ''}`.trim(), kind: 'resource' }],
      }],
      partialFingerprints: { 'gatehouseScan/v1': createHash('sha256').update(`${f.rule}\n${f.endpoint ?? f.title}`).digest('hex').slice(0, 32) },
      properties: { severity: f.severity, evidence: f.evidence, remediation: f.remediation },
    };
  });
  const end = new Date(Date.parse(report.startedAt) + report.durationMs);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'gatehouse-scan', informationUri: INFORMATION_URI, ...(toolVersion ? { version: toolVersion } : {}), rules } },
      invocations: [{ executionSuccessful: !report.findings.some((f) => f.rule === 'scan-incomplete'), startTimeUtc: report.startedAt, endTimeUtc: end.toISOString() }],
      results,
      properties: { target: report.target, requestsSent: report.requestsSent, endpoints: report.endpoints.length, verdict: report.verdict.text },
    }],
  };
}
