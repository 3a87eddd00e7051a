import { ChainVerifier } from '../core/hash-chain.ts';
import type { ChainProblem } from '../core/hash-chain.ts';
import type { AuditHead, Store } from '../store/store.ts';

export interface AuditVerification {
  ok: boolean;
  /** Records read. */
  count: number;
  problems: ChainProblem[];
}

/**
 * Streams the whole audit log through the hash-chain verifier, one page at a time, and checks the
 * chain against the stored head. Safe while the gateway keeps appending: the head is read before
 * the scan (a head beyond the last record means a truncated tail) and again after it (a record
 * beyond that head was never written through appendAudit). With `sealKey`, the head's seal is
 * checked too: a log rewritten end to end by someone without the key fails.
 */
export async function verifyAudit(store: Pick<Store, 'scanAudit' | 'getAuditHead'>, opts: { pageSize?: number; sealKey?: string } = {}): Promise<AuditVerification> {
  const pageSize = opts.pageSize ?? 1_000;
  const before = await store.getAuditHead();
  const verifier = new ChainVerifier();
  const seen: Seen = { lastSeq: 0, lastHash: undefined, hashAtBefore: undefined };
  for (;;) {
    const from = seen.lastSeq;
    const page = await store.scanAudit(from, pageSize);
    for (const rec of page) {
      verifier.push(rec);
      if (rec.seq === before?.seq) seen.hashAtBefore = rec.hash;
      if (rec.seq >= seen.lastSeq) {
        seen.lastSeq = rec.seq;
        seen.lastHash = rec.hash;
      }
    }
    // Stop on an empty page, not a short one: a store may cap the page size below ours. The seq
    // test also ends the loop if a broken store ever returns records at or below `from`.
    if (page.length === 0 || seen.lastSeq === from) break;
  }
  const problems = verifier.finish(before, opts.sealKey);
  const after = await store.getAuditHead();
  problems.push(...headProblems(before, after, seen, verifier.count));
  return { ok: problems.length === 0, count: verifier.count, problems };
}

interface Seen {
  lastSeq: number;
  lastHash: string | undefined;
  /** Hash of the record the first head read pointed to. */
  hashAtBefore: string | undefined;
}

/** The checks ChainVerifier.finish cannot make when records were appended during the scan. */
function headProblems(before: AuditHead | undefined, after: AuditHead | undefined, seen: Seen, count: number): ChainProblem[] {
  const { lastSeq } = seen;
  if (!after) {
    return count > 0 ? [{ seq: lastSeq, kind: 'missing', detail: `the stored chain head is missing but ${count} records exist` }] : [];
  }
  const problems: ChainProblem[] = [];
  // finish(before) compared the head with the last record only when they coincide.
  if (before && before.seq < lastSeq && seen.hashAtBefore !== undefined && seen.hashAtBefore !== before.hash) {
    problems.push({ seq: before.seq, kind: 'edited', detail: `record ${before.seq} does not match the stored head` });
  }
  if (after.seq < lastSeq) {
    // Every append moves the head in the same transaction, so these were not written by appendAudit.
    problems.push({ seq: after.seq + 1, kind: 'inserted', detail: `records ${after.seq + 1}..${lastSeq} lie beyond the stored head (${after.seq})` });
  } else if (after.seq === lastSeq && before?.seq !== lastSeq && seen.lastHash !== after.hash) {
    problems.push({ seq: lastSeq, kind: 'edited', detail: `last record ${lastSeq} does not match the stored head` });
  }
  return problems;
}
