import type { Decision, ReasonCode } from './reasons.ts';

export type AgentStatus = 'active' | 'suspended' | 'revoked';

/** A machine identity. Humans (admins) are never agents. Timestamps are epoch milliseconds. */
export interface Agent {
  id: string; // agt_…
  name: string; // unique, [a-z0-9][a-z0-9-_.]{0,62}
  spiffeId: string; // spiffe://<trust-domain>/agent/<name>
  owner: string;
  description: string;
  labels: string[];
  scopes: string[];
  status: AgentStatus;
  createdAt: number;
  updatedAt: number;
}

/** A stored API key: never the plaintext, only the keyed hash. */
export interface ApiKeyRecord {
  id: string; // key_…
  agentId: string;
  /** First characters of the key (prefix + a few chars) so an operator can recognise it; not enough to use it. */
  hint: string;
  /** HMAC-SHA-256(serverSecret, key) as lowercase hex. */
  hash: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** When this key was replaced by rotation, the id of its successor. */
  replacedBy: string | null;
}

/** The fields of an audit record the caller supplies; the store assigns seq and the hash chain. */
export interface AuditEntry {
  time: number;
  kind: 'request' | 'admin' | 'security';
  requestId: string;
  agentId: string | null;
  agentName: string | null;
  credentialId: string | null;
  clientAddress: string | null;
  method: string | null;
  path: string | null;
  routeId: string | null;
  decision: Decision;
  reasons: ReasonCode[];
  upstreamStatus: number | null;
  latencyMs: number | null;
  /** Admin changes: what was done (e.g. `agent.create`) and by whom. Free-form, never secrets. */
  action: string | null;
  actor: string | null;
  details: Record<string, unknown> | null;
}

/** A stored audit record: the entry plus its place in the hash chain. */
export interface AuditRecord extends AuditEntry {
  seq: number; // 1, 2, 3 … contiguous
  prevHash: string; // hash of record seq-1, or GENESIS_HASH
  hash: string; // sha256 over prevHash + canonical body
}
