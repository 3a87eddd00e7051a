import { canonicalJson } from '../core/canonical-json.ts';
import type { Agent, AgentStatus, ApiKeyRecord, AuditEntry, AuditRecord } from '../core/types.ts';
import type { Decision, ReasonCode } from '../core/reasons.ts';

// Shared by both adapters: the tables have the same columns, so rows map the same way.
// PostgreSQL returns BIGINT as a string; Number() is exact below 2^53 (epoch ms and seq are far below).

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export const AGENT_COLUMNS = 'id, name, spiffe_id, owner, description, labels, scopes, status, created_at, updated_at';

export function agentToParams(a: Agent): unknown[] {
  return [a.id, a.name, a.spiffeId, a.owner, a.description, JSON.stringify(a.labels), JSON.stringify(a.scopes), a.status, a.createdAt, a.updatedAt];
}

export function agentFromRow(r: Row): Agent {
  return {
    id: String(r.id), name: String(r.name), spiffeId: String(r.spiffe_id), owner: String(r.owner),
    description: String(r.description), labels: JSON.parse(String(r.labels)) as string[], scopes: JSON.parse(String(r.scopes)) as string[],
    status: String(r.status) as AgentStatus, createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

export const API_KEY_COLUMNS = 'id, agent_id, hint, hash, scopes, created_at, expires_at, last_used_at, revoked_at, replaced_by';

export function apiKeyToParams(k: ApiKeyRecord): unknown[] {
  return [k.id, k.agentId, k.hint, k.hash, JSON.stringify(k.scopes), k.createdAt, k.expiresAt, k.lastUsedAt ?? null, k.revokedAt ?? null, k.replacedBy ?? null];
}

export function apiKeyFromRow(r: Row): ApiKeyRecord {
  return {
    id: String(r.id), agentId: String(r.agent_id), hint: String(r.hint), hash: String(r.hash),
    scopes: JSON.parse(String(r.scopes)) as string[], createdAt: num(r.created_at), expiresAt: num(r.expires_at),
    lastUsedAt: numOrNull(r.last_used_at), revokedAt: numOrNull(r.revoked_at), replacedBy: strOrNull(r.replaced_by),
  };
}

export const AUDIT_COLUMNS =
  'seq, time, kind, request_id, agent_id, agent_name, credential_id, client_address, method, path, route_id, ' +
  'decision, reasons, upstream_status, latency_ms, action, actor, details, prev_hash, hash';

/** Number of columns in AUDIT_COLUMNS (one bind parameter each). */
export const AUDIT_COLUMN_COUNT = 20;

/**
 * The entry exactly as it will read back from the database. Chaining this (not the caller's
 * object) keeps the stored hash verifiable: `undefined` becomes NULL, and `details` is reduced
 * to plain JSON the way JSON.stringify sees it (a Date becomes its ISO string, not `{}`).
 */
export function storableEntry(e: AuditEntry): AuditEntry {
  return {
    time: e.time, kind: e.kind, requestId: e.requestId, agentId: e.agentId ?? null, agentName: e.agentName ?? null,
    credentialId: e.credentialId ?? null, clientAddress: e.clientAddress ?? null, method: e.method ?? null,
    path: e.path ?? null, routeId: e.routeId ?? null, decision: e.decision, reasons: [...e.reasons],
    upstreamStatus: e.upstreamStatus ?? null, latencyMs: e.latencyMs ?? null, action: e.action ?? null, actor: e.actor ?? null,
    details: e.details === null || e.details === undefined ? null : (JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>),
  };
}

export function auditToParams(r: AuditRecord): unknown[] {
  return [
    r.seq, r.time, r.kind, r.requestId, r.agentId, r.agentName, r.credentialId, r.clientAddress, r.method, r.path, r.routeId,
    r.decision, JSON.stringify(r.reasons), r.upstreamStatus, r.latencyMs, r.action, r.actor,
    r.details === null ? null : canonicalJson(r.details), r.prevHash, r.hash,
  ];
}

export function auditFromRow(r: Row): AuditRecord {
  return {
    seq: num(r.seq), time: num(r.time), kind: String(r.kind) as AuditEntry['kind'], requestId: String(r.request_id),
    agentId: strOrNull(r.agent_id), agentName: strOrNull(r.agent_name), credentialId: strOrNull(r.credential_id),
    clientAddress: strOrNull(r.client_address), method: strOrNull(r.method), path: strOrNull(r.path), routeId: strOrNull(r.route_id),
    decision: String(r.decision) as Decision, reasons: JSON.parse(String(r.reasons)) as ReasonCode[],
    upstreamStatus: numOrNull(r.upstream_status), latencyMs: numOrNull(r.latency_ms), action: strOrNull(r.action), actor: strOrNull(r.actor),
    details: r.details === null || r.details === undefined ? null : (JSON.parse(String(r.details)) as Record<string, unknown>),
    prevHash: String(r.prev_hash), hash: String(r.hash),
  };
}

/** Keeps the newest time per key id, so one statement per key suffices and time never goes backwards. */
export function latestTouches(updates: ReadonlyArray<{ id: string; lastUsedAt: number }>): Map<string, number> {
  const latest = new Map<string, number>();
  for (const u of updates) latest.set(u.id, Math.max(u.lastUsedAt, latest.get(u.id) ?? -Infinity));
  return latest;
}
