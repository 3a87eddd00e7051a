import { CHECKS } from './checks/registry.ts';
import { dedupeFindings, sortFindings } from './findings.ts';
import { HttpProber, ScanInterrupted } from './probe.ts';
import { runRecon } from './recon/recon.ts';
import { createRedactor } from './redact.ts';
import { rank, verdict } from './report/verdict.ts';
import { ScanTimeline, type TimelineStream } from './timeline.ts';
import { BudgetExhausted, type Finding, type Prober, type ScanCheck, type ScanContext, type ScanOptions, type ScanReport } from './types.ts';

export interface ScanRun {
  options: ScanOptions;
  /** Where the timeline is written as it happens (stdout for text, stderr for --json/--sarif). */
  out?: TimelineStream;
  /** The operator's --openapi document, already read. */
  document?: { source: string; text: string };
  /** Aborted on Ctrl-C: the scan stops sending and reports what it has. */
  signal?: AbortSignal;
  /** Seams for tests: the checks to run (default: the registry) and a prober other than HTTP. */
  checks?: readonly ScanCheck[];
  prober?: Prober;
}

const SEVERITY_LABEL = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' } as const;

/**
 * The scan: recon builds the inventory, then every check runs in registry order against it. A check
 * that throws becomes an info finding and the scan goes on; running out of budget (or Ctrl-C)
 * stops further checks and is reported, so a partial scan never looks like a clean one.
 */
export async function runScan(run: ScanRun): Promise<ScanReport> {
  const { options } = run;
  const startedAt = new Date();
  let stage = 'Reconnaissance';
  const timeline = new ScanTimeline(run.out, { redact: createRedactor(Object.values(options.headers)) });
  const owned = run.prober === undefined
    ? new HttpProber({
        base: options.target, headers: options.headers, maxRequests: options.maxRequests, rate: options.rate, timeoutMs: options.timeoutMs,
        ...(run.signal ? { signal: run.signal } : {}),
        onSend: (n) => timeline.progress(`${stage} · ${n}/${options.maxRequests} requests`),
      })
    : undefined;
  const probe: Prober = run.prober ?? owned!;
  const findings: Finding[] = [];
  let stopped: BudgetExhausted | ScanInterrupted | undefined;
  const skipped: string[] = [];
  try {
    timeline.event(`Starting autonomous reconnaissance of ${options.target.href}...`);
    const recon = await runRecon({ probe, options, timeline, ...(run.document ? { document: run.document } : {}) });
    findings.push(...recon.findings);
    stopped = recon.stopped;
    const ctx: ScanContext = { options, probe, inventory: recon.endpoints, timeline };
    for (const check of run.checks ?? CHECKS) {
      if (!stopped && run.signal?.aborted) stopped = new ScanInterrupted();
      if (stopped) {
        skipped.push(check.id);
        continue;
      }
      stage = check.title.replace(/\.+$/, '');
      timeline.event(check.title);
      try {
        const found = await check.run(ctx);
        findings.push(...found);
        announce(timeline, found);
      } catch (err) {
        if (err instanceof BudgetExhausted || err instanceof ScanInterrupted) {
          stopped = err;
          skipped.push(check.id);
          continue;
        }
        const message = err instanceof Error ? err.message : String(err);
        findings.push(checkFailed(check, message));
        timeline.event(`Check ${check.id} failed (${message}); continuing`);
      }
    }
    if (stopped) {
      findings.push(incomplete(stopped, probe.sent, skipped));
      timeline.event(stopped instanceof BudgetExhausted ? `Request budget exhausted after ${probe.sent} requests; ${skipped.length} check${skipped.length === 1 ? '' : 's'} not run` : 'Scan interrupted');
    }
    const final = sortFindings(dedupeFindings(findings));
    timeline.event(`Scan finished: ${final.length} finding${final.length === 1 ? '' : 's'}, ${probe.sent} requests sent`);
    timeline.finish();
    return {
      target: options.target.href, startedAt: startedAt.toISOString(), durationMs: Math.round(timeline.elapsedMs()), requestsSent: probe.sent,
      endpoints: recon.endpoints, findings: final, verdict: verdict(final), timeline: timeline.events,
    };
  } finally {
    timeline.finish();
    await owned?.close();
  }
}

/** Findings worth a line in the live timeline; low and info are only counted there. */
function announce(timeline: ScanTimeline, found: readonly Finding[]): void {
  for (const f of found) if (rank(f.severity) <= rank('medium')) timeline.event(`${SEVERITY_LABEL[f.severity]}: ${f.title}`);
  const minor = found.filter((f) => rank(f.severity) > rank('medium')).length;
  if (minor > 0) timeline.event(`${minor} low/info finding${minor === 1 ? '' : 's'}`);
}

function checkFailed(check: ScanCheck, message: string): Finding {
  return {
    rule: 'check-failed', severity: 'info', title: `Check ${check.id} could not finish: ${message}`, evidence: [],
    remediation: 'Not a finding about the target: this part of the scan did not run to the end, so its absence of findings proves nothing. Re-run the scan; if it persists, report it with --json output.',
  };
}

function incomplete(reason: BudgetExhausted | ScanInterrupted, sent: number, skipped: readonly string[]): Finding {
  const why = reason instanceof BudgetExhausted ? `request budget exhausted after ${sent} requests` : 'interrupted';
  return {
    rule: 'scan-incomplete', severity: 'info', title: `Scan incomplete: ${why}${skipped.length > 0 ? `; not run: ${skipped.join(', ')}` : ''}`, evidence: [],
    remediation: reason instanceof BudgetExhausted ? 'Raise --max-requests (default 2000) or narrow the scan (--openapi with only the endpoints of interest) and scan again.' : 'Run the scan to the end.',
  };
}
