import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { intOption, parseCommand, UsageError, type CliContext, type CommandGroup, type Out } from '../command.ts';
import { printJson } from '../format.ts';
import { parseApiDocument } from '../../scan/recon/openapi.ts';
import { toSarif } from '../../scan/report/sarif.ts';
import { renderText } from '../../scan/report/text-report.ts';
import { failsAt } from '../../scan/report/verdict.ts';
import { runScan } from '../../scan/scanner.ts';
import { checkTarget, SCAN_LIMITS } from '../../scan/target-policy.ts';
import type { TimelineStream } from '../../scan/timeline.ts';
import { SEVERITIES, type ScanCheck, type ScanOptions, type Severity } from '../../scan/types.ts';

const L = SCAN_LIMITS;
const USAGE = `Usage: gatehouse scan BASE-URL [options]

Attacks an agent API the way an autonomous attacker would: finds its documentation and endpoints,
then tests authentication and its bypasses, SQL injection, rate limiting, error handling, CORS,
security headers, transport, leaked secrets and network exposure. Prints an attack timeline, then
each finding with its evidence (secrets redacted) and the Gatehouse configuration that fixes it.

Only loopback targets (127.0.0.0/8, ::1, localhost) are scanned unless --authorized is given.
Payloads are never destructive; write methods are probed only with --allow-writes.

Options:
  --openapi FILE|URL      the API's OpenAPI/Swagger document (JSON or YAML), used with discovery
  --header 'Name: value'  send this header with every request (repeatable), e.g. to scan as an
                          authenticated caller; the values are redacted in all output
  --allow-writes          also probe POST/PUT/PATCH/DELETE, with harmless bodies
  --max-requests N        request budget (default ${L.maxRequests.default})
  --rate N                at most N requests per second (default ${L.rate.default})
  --timeout-ms N          per-request timeout (default ${L.timeoutMs.default})
  --max-delay S           delay time-based SQL injection probes ask for, in seconds
                          (default ${L.maxDelaySeconds.default}, at most ${L.maxDelaySeconds.max})
  --authorized            state that you are authorized to test this target
                          (required for anything that is not loopback)
  --json | --sarif        print the report as JSON or as SARIF 2.1.0 (the timeline goes to stderr)
  --fail-on LEVEL         exit 1 when a finding is at or above LEVEL:
                          critical|high|medium|low|info|none (default high)

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error.`;

const OPTIONS = {
  openapi: { type: 'string' }, header: { type: 'string', multiple: true }, 'allow-writes': { type: 'boolean' },
  'max-requests': { type: 'string' }, rate: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'max-delay': { type: 'string' },
  authorized: { type: 'boolean' }, sarif: { type: 'boolean' }, 'fail-on': { type: 'string' },
} as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Framing headers would desynchronise the connection; Host is chosen by the target URL.
const FORBIDDEN = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'keep-alive']);
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

/** `Name: value` pairs from --header, validated like a server would. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const raw of values) {
    const i = raw.indexOf(':');
    const name = i < 0 ? '' : raw.slice(0, i).trim();
    const value = i < 0 ? '' : raw.slice(i + 1).trim();
    if (!TOKEN.test(name)) throw new UsageError(`--header must look like 'Name: value'`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new UsageError(`--header ${name}: the value contains control characters`);
    if (FORBIDDEN.has(name.toLowerCase())) throw new UsageError(`--header ${name} cannot be set`);
    if (seen.has(name.toLowerCase())) throw new UsageError(`--header ${name} given twice`);
    seen.add(name.toLowerCase());
    headers[name] = value;
  }
  return headers;
}

function failOnOption(value: string | undefined): Severity | 'none' {
  if (value === undefined) return 'high';
  const v = value.toLowerCase();
  if (v === 'none' || (SEVERITIES as readonly string[]).includes(v)) return v as Severity | 'none';
  throw new UsageError(`--fail-on must be one of ${SEVERITIES.join('|')}|none`);
}

/** The --openapi document from a file or an http(s) URL, checked to be a document before the scan starts. */
async function readDocument(spec: string, ctx: CliContext, options: ScanOptions): Promise<{ source: string; text: string }> {
  let text: string;
  if (/^https?:\/\//i.test(spec) && URL.canParse(spec)) {
    const url = new URL(spec);
    // The operator's credentials go only to the target itself, never to another host.
    const headers = url.origin === options.target.origin ? options.headers : {};
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (err) {
      throw new UsageError(`cannot fetch --openapi ${spec} (${(err as Error).message})`);
    }
    if (!res.ok) throw new UsageError(`cannot fetch --openapi ${spec} (HTTP ${res.status})`);
    const body = await res.arrayBuffer();
    if (body.byteLength > MAX_DOCUMENT_BYTES) throw new UsageError(`--openapi ${spec} is larger than 8 MiB`);
    text = Buffer.from(body).toString('utf8');
  } else {
    try {
      const data = await readFile(resolve(ctx.cwd, spec));
      if (data.length > MAX_DOCUMENT_BYTES) throw new UsageError(`--openapi ${spec} is larger than 8 MiB`);
      text = data.toString('utf8');
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read --openapi ${spec} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  if (!parseApiDocument(text)) throw new UsageError(`--openapi ${spec} is not an OpenAPI 3 or Swagger 2 document (JSON or YAML)`);
  return { source: spec, text };
}

export interface ScanCommandDeps {
  /** The checks to run (tests); default: every registered check. */
  checks?: readonly ScanCheck[];
}

/** `scan BASE-URL [options]` */
export async function scanCommand(ctx: CliContext, args: string[], out: Out, deps: ScanCommandDeps = {}): Promise<number> {
  const a = parseCommand({ usage: USAGE, options: OPTIONS, positionals: [1, 1] }, args, out);
  if (!a) return 0;
  const v = a.values;
  if (a.json && v.sarif === true) throw new UsageError('--json and --sarif cannot be combined');
  const target = checkTarget(a.positionals[0]!, v.authorized === true);
  if (!target.ok) throw new UsageError(target.reason);
  const failOn = failOnOption(v['fail-on']);
  const options: ScanOptions = {
    target: target.url, headers: parseHeaders(v.header ?? []), allowWrites: v['allow-writes'] === true,
    maxRequests: intOption(v['max-requests'], 'max-requests', L.maxRequests.min, L.maxRequests.max) ?? L.maxRequests.default,
    rate: intOption(v.rate, 'rate', L.rate.min, L.rate.max) ?? L.rate.default,
    timeoutMs: intOption(v['timeout-ms'], 'timeout-ms', L.timeoutMs.min, L.timeoutMs.max) ?? L.timeoutMs.default,
    maxDelaySeconds: intOption(v['max-delay'], 'max-delay', L.maxDelaySeconds.min, L.maxDelaySeconds.max) ?? L.maxDelaySeconds.default,
  };
  const document = v.openapi === undefined ? undefined : await readDocument(v.openapi, ctx, options);
  // stdout holds exactly one document with --json/--sarif, so the live timeline moves to stderr.
  const machine = a.json || v.sarif === true;
  const stream = (machine ? out.stderr : out.stdout) as TimelineStream;
  const report = await runScan({ options, out: stream, signal: ctx.signal, ...(document ? { document } : {}), ...(deps.checks ? { checks: deps.checks } : {}) });
  if (a.json) printJson(out, report);
  else if (v.sarif === true) out.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
  else out.stdout.write(renderText(report));
  return failsAt(report.findings, failOn) ? 1 : 0;
}

export const scanCommands: CommandGroup = {
  '': { needs: 'context', summary: 'attack an agent API like an autonomous attacker and report what it finds', run: scanCommand },
};
