/**
 * The scanner's shared vocabulary (issue 4: `gatehouse scan`). The orchestrator (scanner.ts) runs
 * recon to build the endpoint inventory, then every check module in checks/ (one file per check,
 * listed in checks/registry.ts), then renders a report (report/). Checks never send requests
 * themselves except through `ctx.probe`, which enforces the request budget and rate, records the
 * count, and redacts secrets from anything kept as evidence.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One request and what came back, as shown in a report: secrets redacted, bodies cut short. */
export interface Evidence {
  /** e.g. `GET /api/search?query=%27` (the path and query as sent; credentials redacted). */
  request: string;
  status?: number;
  /** A short excerpt of the response (≤ 300 chars), secrets redacted. */
  response?: string;
  /** Anything else that explains the finding (e.g. "answered in 2.1 s vs 0.02 s baseline"). */
  note?: string;
}

export interface Finding {
  /** Stable rule id, used for SARIF `ruleId` and deduplication, e.g. `sql-injection`. */
  rule: string;
  severity: Severity;
  /** One line, e.g. "SQL injection in GET /api/search (query parameter `query`)". */
  title: string;
  /** The endpoint it concerns, e.g. `GET /api/search`, when there is one. */
  endpoint?: string;
  evidence: Evidence[];
  /** What fixes it, naming the Gatehouse feature and config, e.g. "Put the route behind Gatehouse (routes[].auth: strict, the default) …". */
  remediation: string;
}

export type ParamLocation = 'query' | 'path' | 'body';

/** An endpoint the scanner knows about, from documentation, the wordlist or links. */
export interface Endpoint {
  method: string;
  /** Path template as documented (`/api/agents/{id}`) or as found. */
  path: string;
  params: Array<{ name: string; in: ParamLocation; example?: string }>;
  source: 'openapi' | 'docs-page' | 'wordlist' | 'link';
}

export interface ProbeRequest {
  method: string;
  /** Path plus optional query string, sent byte-exact (no normalisation: bypass checks depend on it). */
  target: string;
  headers?: Record<string, string>;
  /** A raw body; for JSON use `json`. */
  body?: string;
  json?: unknown;
  /** Per-request timeout (default from options). */
  timeoutMs?: number;
  /** Send to another host/port of the same machine (binding-exposure check). */
  origin?: string;
  /**
   * Leave out the operator's `--header` values (ScanOptions.headers) for this request: the
   * unauthenticated-access and auth-bypass checks must ask as a caller without credentials.
   * Headers given in `headers` here are still sent.
   */
  anonymous?: boolean;
  /** Keep more than the default 64 KiB of the body (recon reading API documents; capped at 4 MiB). */
  maxBodyBytes?: number;
}

export interface ProbeResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as text, at most 64 KiB (or the request's `maxBodyBytes`). */
  body: string;
  elapsedMs: number;
}

/** The only way checks and recon talk to the target. */
export interface Prober {
  /** Throws `BudgetExhausted` when --max-requests is reached; network errors resolve to status 0. */
  send(req: ProbeRequest): Promise<ProbeResponse>;
  readonly sent: number;
  remaining(): number;
  /** Turns a request and response into redacted evidence. */
  evidence(req: ProbeRequest, res: ProbeResponse | undefined, note?: string): Evidence;
}

export class BudgetExhausted extends Error {
  constructor() {
    super('request budget exhausted (--max-requests)');
    this.name = 'BudgetExhausted';
  }
}

/** The attack timeline: `[00:00:05] Discovered exposed API documentation at /api/docs`. */
export interface Timeline {
  event(message: string): void;
  /** A transient progress line on a TTY (ignored otherwise). */
  progress(message: string): void;
}

export interface ScanOptions {
  /** The base URL scanned. */
  target: URL;
  /** Extra headers on every request (scan as an authenticated caller). Values are redacted in output. */
  headers: Record<string, string>;
  allowWrites: boolean;
  maxRequests: number;
  /** Requests per second, at most. */
  rate: number;
  timeoutMs: number;
  /** Cap for time-based SQL injection probes. */
  maxDelaySeconds: number;
}

/** What every check receives. */
export interface ScanContext {
  options: Readonly<ScanOptions>;
  probe: Prober;
  inventory: readonly Endpoint[];
  timeline: Timeline;
}

/** One check module. */
export interface ScanCheck {
  readonly id: string;
  /** Timeline line when it starts, e.g. "Testing authentication requirements...". */
  readonly title: string;
  run(ctx: ScanContext): Promise<Finding[]>;
}

/** The whole result (the JSON output is exactly this). */
export interface ScanReport {
  target: string;
  startedAt: string;
  durationMs: number;
  requestsSent: number;
  endpoints: Endpoint[];
  findings: Finding[];
  verdict: { level: Severity | 'pass'; text: string };
  timeline: Array<{ atMs: number; message: string }>;
}
