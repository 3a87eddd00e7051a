import type { Agent, ApiKeyRecord, AuditEntry } from '../../core/types.ts';
import type { Store } from '../store.ts';

/** What a conformance factory hands over: a migrated store plus ways to reopen and dispose of it. */
export interface StoreHarness {
  store: Store;
  /** Opens another, migrated Store on the same database (the suite closes what it opens). */
  reopen(): Promise<Store>;
  /** Closes whatever is still open and deletes the database. */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

/** Runs `fn` against a fresh database and always cleans it up. */
export async function withStore(factory: StoreFactory, fn: (store: Store, harness: StoreHarness) => Promise<void>): Promise<void> {
  const harness = await factory();
  try {
    await fn(harness.store, harness);
  } finally {
    await harness.cleanup();
  }
}

export const T0 = Date.UTC(2026, 0, 1);

export function makeAgent(n: number, overrides: Partial<Agent> = {}): Agent {
  return {
    id: `agt_${n}`, name: `agent-${n}`, spiffeId: `spiffe://example.test/agent/agent-${n}`, owner: 'team-ops',
    description: `test agent ${n} — «ünïcode»`, labels: ['env:test', `n:${n}`], scopes: ['orders:read', 'orders:write'],
    status: 'active', authMethods: [], createdAt: T0 + n, updatedAt: T0 + n, ...overrides,
  };
}

export function makeKey(agentId: string, n: number, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: `key_${n}`, agentId, hint: `gh_${n}…`, hash: n.toString(16).padStart(64, 'a'), scopes: ['orders:read'],
    createdAt: T0 + n, expiresAt: T0 + 86_400_000, lastUsedAt: null, revokedAt: null, replacedBy: null, ...overrides,
  };
}

export function makeEntry(n: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: T0 + n, kind: 'request', requestId: `req_${n}`, agentId: 'agt_1', agentName: 'agent-1', credentialId: 'key_1',
    clientAddress: '127.0.0.1', method: 'GET', path: `/api/orders/${n}`, routeId: 'orders', decision: 'allow',
    reasons: ['authenticated', 'policy_permit', 'forwarded'], upstreamStatus: 200, latencyMs: 1.25 + n,
    action: null, actor: null, details: null, ...overrides,
  };
}

/** `count` distinct entries numbered from `from`. */
export function makeEntries(from: number, count: number, overrides: Partial<AuditEntry> = {}): AuditEntry[] {
  return Array.from({ length: count }, (_, i) => makeEntry(from + i, overrides));
}
