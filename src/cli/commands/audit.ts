import { setTimeout as delay } from 'node:timers/promises';
import type { AdminOps } from '../../admin/admin-ops.ts';
import type { AuditRecord } from '../../core/types.ts';
import type { AuditQuery } from '../../store/store.ts';
import { intOption, opsCommand, parseCommand, UsageError, type CommandGroup, type Out } from '../command.ts';
import { clean, list, printJson, time } from '../format.ts';

const TAIL_USAGE = `Usage: gatehouse audit tail [-f|--follow] [--agent A] [--decision allow|deny|error] [--limit N] [--json]

Prints the newest N audit records (default 20), oldest first. With --follow, keeps printing new
records until Ctrl-C. --json prints one JSON array, or with --follow one JSON object per line.`;
const VERIFY_USAGE = `Usage: gatehouse audit verify [--json]

Recomputes the audit hash chain. Exit code 0 = intact, 1 = records edited, missing, inserted or truncated.`;
const DECISIONS = ['allow', 'deny', 'error'] as const;
const FOLLOW_PAGE = 500;

/** Seams for --follow: how long to wait between polls and how (tests pass a fake sleep). */
export interface FollowOptions {
  signal: AbortSignal;
  intervalMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const sleepUnlessAborted = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal }).catch(() => undefined);

/** One record as a line: request/security records show the request, admin records the change. */
export function formatRecord(r: AuditRecord): string {
  const head = `#${r.seq}  ${time(r.time)}  ${r.kind.padEnd(8)}`;
  const agent = `agent=${r.agentName ?? '-'}`;
  if (r.kind === 'admin') {
    return clean(`${head}  ${r.action ?? '-'}  by ${r.actor ?? '-'}  ${agent}${r.credentialId ? `  key=${r.credentialId}` : ''}`);
  }
  const status = r.upstreamStatus === null ? '' : `  upstream=${r.upstreamStatus}`;
  const latency = r.latencyMs === null ? '' : `  ${r.latencyMs}ms`;
  return clean(`${head}  ${r.decision.padEnd(5)}  ${r.method ?? '-'} ${r.path ?? '-'}  ${agent}  route=${r.routeId ?? '-'}${status}${latency}  ${list(r.reasons)}`);
}

/** `audit tail` */
export async function auditTail(ops: AdminOps, args: string[], out: Out, follow: FollowOptions = { signal: new AbortController().signal }): Promise<number> {
  const a = parseCommand({
    usage: TAIL_USAGE,
    options: { follow: { type: 'boolean', short: 'f' }, agent: { type: 'string' }, decision: { type: 'string' }, limit: { type: 'string' } },
    positionals: [0, 0],
  }, args, out);
  if (!a) return 0;
  const { decision, agent } = a.values;
  if (decision !== undefined && !(DECISIONS as readonly string[]).includes(decision)) throw new UsageError('--decision must be allow, deny or error');
  const filter: Omit<AuditQuery, 'limit' | 'order'> = { agent, decision: decision as AuditQuery['decision'] };
  const newest = await ops.queryAudit({ ...filter, limit: intOption(a.values.limit, 'limit', 1, 1000) ?? 20, order: 'desc' });
  const records = newest.reverse();
  const streaming = a.values.follow === true;
  if (a.json && !streaming) printJson(out, records);
  else print(out, records, a.json);
  if (!streaming) return 0;
  const sleep = follow.sleep ?? sleepUnlessAborted;
  let afterSeq = records.at(-1)?.seq ?? 0;
  while (!follow.signal.aborted) {
    await sleep(follow.intervalMs ?? 500, follow.signal);
    if (follow.signal.aborted) break;
    const fresh = await ops.queryAudit({ ...filter, afterSeq, limit: FOLLOW_PAGE, order: 'asc' });
    print(out, fresh, a.json);
    afterSeq = fresh.at(-1)?.seq ?? afterSeq;
  }
  return 0;
}

function print(out: Out, records: AuditRecord[], json: boolean): void {
  for (const r of records) out.stdout.write(`${json ? JSON.stringify(r) : formatRecord(r)}\n`);
}

/** `audit verify`: exit 1 when the chain shows any tampering. */
export const auditVerify = opsCommand(
  { usage: VERIFY_USAGE, options: {}, positionals: [0, 0] },
  (ops) => ops.verifyAudit(),
  (v, out) => out.stdout.write(v.ok
    ? `OK: ${v.count} audit record(s), hash chain intact.\n`
    : `FAILED: ${v.problems.length} problem(s) in ${v.count} record(s):\n${v.problems.map((p) => `  #${p.seq}  ${p.kind.padEnd(9)}  ${clean(p.detail)}\n`).join('')}`),
  (v) => (v.ok ? 0 : 1),
);

export const auditCommands: CommandGroup = {
  tail: { needs: 'ops', summary: 'show recent audit records; -f follows', run: (ops, args, out, ctx) => auditTail(ops, args, out, { signal: ctx.signal }) },
  verify: { needs: 'ops', summary: 'verify the audit hash chain', run: auditVerify },
};
