import { chainEntries } from '../core/hash-chain.ts';
import type { AuditEntry, AuditRecord } from '../core/types.ts';
import type { AuditHead, AuditQuery, Store } from '../store/store.ts';

/**
 * A test double for the audit and settings half of the Store port, with failure injection.
 * Writes are atomic like the real adapters: a failed append stores nothing.
 * `records` and `head` are public so tests can tamper with them.
 */
export class MemoryAuditStore {
  records: AuditRecord[] = [];
  head: AuditHead | undefined;
  /** Size of every appendAudit call, failed ones included. */
  readonly calls: number[] = [];
  /** While true every append fails. */
  failing = false;
  /** When set, appends wait for `release()` (to observe one write in flight). */
  #gated = false;
  #failCount = 0;
  #waiting: Array<() => void> = [];
  readonly #settings = new Map<string, string>();

  /** Fail the next `n` appends. */
  failNext(n: number): void {
    this.#failCount = n;
  }

  /** Makes appends block until `release()` is called. */
  gate(): void {
    this.#gated = true;
  }

  /** Lets every blocked append proceed and stops gating. */
  release(): void {
    this.#gated = false;
    for (const go of this.#waiting.splice(0)) go();
  }

  get pendingAppends(): number {
    return this.#waiting.length;
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    this.calls.push(entries.length);
    if (this.#gated) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.failing || this.#failCount > 0) {
      this.#failCount = Math.max(0, this.#failCount - 1);
      throw new Error('injected store failure');
    }
    const recs = chainEntries(this.head, entries);
    this.records.push(...recs.map((r) => structuredClone(r)));
    const last = recs.at(-1);
    if (last) this.head = { seq: last.seq, hash: last.hash };
    return recs;
  }

  async scanAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => r.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async queryAudit(q: AuditQuery): Promise<AuditRecord[]> {
    const sorted = [...this.records].sort((a, b) => (q.order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
    return sorted
      .filter((r) => r.seq > (q.afterSeq ?? 0))
      .filter((r) => q.decision === undefined || r.decision === q.decision)
      .filter((r) => q.kind === undefined || r.kind === q.kind)
      .filter((r) => q.agent === undefined || r.agentId === q.agent || r.agentName === q.agent)
      .slice(0, q.limit);
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    return this.head && { ...this.head };
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.#settings.get(key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.#settings.set(key, value);
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    const existing = this.#settings.get(key);
    if (existing !== undefined) return existing;
    this.#settings.set(key, value);
    return value;
  }

  /** This fake typed as the full port; only the audit and settings methods exist. */
  asStore(): Store {
    return this as unknown as Store;
  }
}

/** A plausible request audit entry; `n` makes entries distinguishable. */
export function sampleEntry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: Date.UTC(2026, 0, 1) + n,
    kind: 'request',
    requestId: `req_${n}`,
    agentId: 'agt_1',
    agentName: 'agent-one',
    credentialId: 'key_1',
    clientAddress: '127.0.0.1',
    method: 'GET',
    path: `/api/items/${n}`,
    routeId: 'api',
    decision: 'allow',
    reasons: ['authenticated', 'policy_permit', 'forwarded'],
    upstreamStatus: 200,
    latencyMs: 3,
    action: null,
    actor: null,
    details: null,
    ...overrides,
  };
}
