import { createHmac, hash as oneShotHash, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import type { AuditEntry, AuditRecord } from './types.ts';

// node:crypto's hash is a pure function (no I/O, no clock), so the core may use it.

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of one record: sha256(prevHash ‖ "\n" ‖ canonical JSON of seq + entry), hex. */
export function hashRecord(prevHash: string, seq: number, entry: AuditEntry): string {
  // One-shot crypto.hash: no Hash object per record (it runs for every audit record).
  return oneShotHash('sha256', `${prevHash}\n${auditBody(seq, entry)}`, 'hex');
}

/**
 * `canonicalJson({ seq, ...entry })`, written out for the one shape it is used on (it runs for every
 * audit record): the keys below are in sorted order, `undefined` members are dropped, strings go
 * straight to JSON.stringify and everything else (numbers, null, reasons, the free-form `details`)
 * through the generic serializer. A test holds it equal to canonicalJson.
 */
export function auditBody(seq: number, e: AuditEntry): string {
  const members =
    member('action', e.action) + member('actor', e.actor) + member('agentId', e.agentId) + member('agentName', e.agentName) +
    member('clientAddress', e.clientAddress) + member('credentialId', e.credentialId) + member('decision', e.decision) +
    member('details', e.details) + member('kind', e.kind) + member('latencyMs', e.latencyMs) + member('method', e.method) +
    member('path', e.path) + member('reasons', e.reasons) + member('requestId', e.requestId) + member('routeId', e.routeId) +
    member('seq', seq) + member('time', e.time) + member('upstreamStatus', e.upstreamStatus);
  return `{${members.slice(1)}}`; // `seq` is always there, so there is a leading comma to drop
}

/** `,"key":<canonical JSON>`, or nothing for `undefined` (keys are plain ASCII names). */
function member(key: string, v: unknown): string {
  if (v === undefined) return '';
  return `,"${key}":${typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v)}`;
}

/** Chains entries onto a head (`undefined` = empty log). Pure. */
export function chainEntries(head: { seq: number; hash: string } | undefined, entries: readonly AuditEntry[]): AuditRecord[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  return entries.map((entry) => {
    seq += 1;
    const hash = hashRecord(prev, seq, entry);
    const rec: AuditRecord = { ...pickEntry(entry), seq, prevHash: prev, hash };
    prev = hash;
    return rec;
  });
}

/**
 * The key that seals the head, derived from the server secret (domain-separated, so the audit seal
 * and credential hashes never share a key).
 */
export function auditSealKey(serverSecret: string): string {
  return createHmac('sha256', serverSecret).update('gatehouse audit head seal v1').digest('hex');
}

/** HMAC-SHA-256(key, `seq:hash`): proves the head was written by someone holding the key. */
export function sealHead(key: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex');
}

function sealMatches(key: string, head: { seq: number; hash: string; seal?: string | null }): boolean {
  if (typeof head.seal !== 'string' || head.seal.length !== 64) return false;
  return timingSafeEqual(Buffer.from(sealHead(key, head.seq, head.hash)), Buffer.from(head.seal));
}

export type ChainProblem =
  | { seq: number; kind: 'edited'; detail: string }
  | { seq: number; kind: 'missing'; detail: string }
  | { seq: number; kind: 'inserted'; detail: string }
  | { seq: number; kind: 'truncated'; detail: string }
  | { seq: number; kind: 'unsealed'; detail: string };

/**
 * Incremental verifier: feed records in seq order, then `finish(head)`. Detects an edited record
 * (its hash no longer matches its content), a deleted one (a gap in seq or a broken link), an
 * inserted one (a link that doesn't match), and a truncated tail (the stored head is beyond the last record).
 */
export class ChainVerifier {
  #expectSeq = 1;
  #prev = GENESIS_HASH;
  #count = 0;
  readonly problems: ChainProblem[] = [];

  get count(): number {
    return this.#count;
  }

  push(rec: AuditRecord): void {
    this.#count += 1;
    if (rec.seq > this.#expectSeq) {
      this.problems.push({ seq: this.#expectSeq, kind: 'missing', detail: `records ${this.#expectSeq}..${rec.seq - 1} are missing` });
    } else if (rec.seq < this.#expectSeq) {
      this.problems.push({ seq: rec.seq, kind: 'inserted', detail: `record ${rec.seq} appears out of order or twice` });
    }
    const recomputed = hashRecord(rec.prevHash, rec.seq, rec);
    if (recomputed !== rec.hash) {
      this.problems.push({ seq: rec.seq, kind: 'edited', detail: `record ${rec.seq} content does not match its hash` });
    } else if (rec.prevHash !== this.#prev && rec.seq === this.#expectSeq) {
      this.problems.push({ seq: rec.seq, kind: 'inserted', detail: `record ${rec.seq} does not link to record ${rec.seq - 1}` });
    }
    this.#expectSeq = rec.seq + 1;
    this.#prev = rec.hash;
  }

  /**
   * `sealKey` given: the head must carry a valid seal, so a log rewritten by someone without the
   * key (records, chain and head recomputed) is reported too.
   */
  finish(head: { seq: number; hash: string; seal?: string | null } | undefined, sealKey?: string): ChainProblem[] {
    const lastSeq = this.#expectSeq - 1;
    if (sealKey !== undefined && (head !== undefined || lastSeq > 0) && !(head && sealMatches(sealKey, head))) {
      this.problems.push({ seq: head?.seq ?? lastSeq, kind: 'unsealed', detail: `the log head (record ${head?.seq ?? lastSeq}) does not carry a valid seal: the log was rewritten without the key, or written by a store without it` });
    }
    if (head && head.seq > lastSeq) {
      this.problems.push({ seq: lastSeq + 1, kind: 'truncated', detail: `log ends at ${lastSeq} but its head says ${head.seq}` });
    } else if (head && head.seq === lastSeq && head.hash !== this.#prev) {
      this.problems.push({ seq: lastSeq, kind: 'edited', detail: `last record ${lastSeq} does not match the stored head` });
    }
    return this.problems;
  }
}

function pickEntry(e: AuditEntry): AuditEntry {
  return {
    time: e.time, kind: e.kind, requestId: e.requestId, agentId: e.agentId, agentName: e.agentName,
    credentialId: e.credentialId, clientAddress: e.clientAddress, method: e.method, path: e.path, routeId: e.routeId,
    decision: e.decision, reasons: e.reasons, upstreamStatus: e.upstreamStatus, latencyMs: e.latencyMs,
    action: e.action, actor: e.actor, details: e.details,
  };
}
