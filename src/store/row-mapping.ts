import { canonicalJson } from '../core/canonical-json.ts';
import type {
  Agent, AgentKeyRecord, AgentStatus, ApiKeyRecord, AsymmetricAlg, AuditEntry, AuditRecord, ClaimMappingRule, ClientAuthMethod,
  ClientSecretRecord, RevokedTokenRecord, SigningAlg, SigningKeyRecord, TrustedIssuerRecord,
} from '../core/types.ts';
import type { Decision, ReasonCode } from '../core/reasons.ts';

// Shared by both adapters: the tables have the same columns, so rows map the same way.
// PostgreSQL returns BIGINT as a string; Number() is exact below 2^53 (epoch ms and seq are far below).

type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : json<T>(v));

export const AGENT_COLUMNS = 'id, name, spiffe_id, owner, description, labels, scopes, status, created_at, updated_at, auth_methods';

export function agentToParams(a: Agent): unknown[] {
  return [
    a.id, a.name, a.spiffeId, a.owner, a.description, JSON.stringify(a.labels), JSON.stringify(a.scopes), a.status, a.createdAt, a.updatedAt,
    JSON.stringify(a.authMethods),
  ];
}

export function agentFromRow(r: Row): Agent {
  return {
    id: String(r.id), name: String(r.name), spiffeId: String(r.spiffe_id), owner: String(r.owner),
    description: String(r.description), labels: json<string[]>(r.labels), scopes: json<string[]>(r.scopes),
    status: String(r.status) as AgentStatus, authMethods: json<ClientAuthMethod[]>(r.auth_methods), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
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

export const CLIENT_SECRET_COLUMNS = 'id, agent_id, hint, hash, created_at, expires_at, revoked_at, replaced_by';

export function clientSecretToParams(c: ClientSecretRecord): unknown[] {
  return [c.id, c.agentId, c.hint, c.hash, c.createdAt, c.expiresAt, c.revokedAt ?? null, c.replacedBy ?? null];
}

export function clientSecretFromRow(r: Row): ClientSecretRecord {
  return {
    id: String(r.id), agentId: String(r.agent_id), hint: String(r.hint), hash: String(r.hash), createdAt: num(r.created_at),
    expiresAt: num(r.expires_at), revokedAt: numOrNull(r.revoked_at), replacedBy: strOrNull(r.replaced_by),
  };
}

export const AGENT_KEY_COLUMNS = 'id, agent_id, kid, alg, jwk, thumbprint, created_at, revoked_at';

export function agentKeyToParams(k: AgentKeyRecord): unknown[] {
  return [k.id, k.agentId, k.kid, k.alg, JSON.stringify(k.jwk), k.thumbprint, k.createdAt, k.revokedAt ?? null];
}

export function agentKeyFromRow(r: Row): AgentKeyRecord {
  return {
    id: String(r.id), agentId: String(r.agent_id), kid: String(r.kid), alg: String(r.alg) as AsymmetricAlg,
    jwk: json<Record<string, unknown>>(r.jwk), thumbprint: String(r.thumbprint), createdAt: num(r.created_at), revokedAt: numOrNull(r.revoked_at),
  };
}

export const SIGNING_KEY_COLUMNS = 'kid, alg, public_jwk, private_enc, created_at, activated_at, retired_at, expires_at';

export function signingKeyToParams(k: SigningKeyRecord): unknown[] {
  return [k.kid, k.alg, JSON.stringify(k.publicJwk), k.privateEnc, k.createdAt, k.activatedAt ?? null, k.retiredAt ?? null, k.expiresAt ?? null];
}

export function signingKeyFromRow(r: Row): SigningKeyRecord {
  return {
    kid: String(r.kid), alg: String(r.alg) as SigningAlg, publicJwk: json<Record<string, unknown>>(r.public_jwk), privateEnc: String(r.private_enc),
    createdAt: num(r.created_at), activatedAt: numOrNull(r.activated_at), retiredAt: numOrNull(r.retired_at), expiresAt: numOrNull(r.expires_at),
  };
}

export const REVOKED_TOKEN_COLUMNS = 'jti, agent_id, expires_at, revoked_at';

export function revokedTokenToParams(t: RevokedTokenRecord): unknown[] {
  return [t.jti, t.agentId ?? null, t.expiresAt, t.revokedAt];
}

export function revokedTokenFromRow(r: Row): RevokedTokenRecord {
  return { jti: String(r.jti), agentId: strOrNull(r.agent_id), expiresAt: num(r.expires_at), revokedAt: num(r.revoked_at) };
}

export const TRUSTED_ISSUER_COLUMNS =
  'name, issuer, jwks_url, jwks, audience, algorithms, rules, subject_tokens, subject_scopes, allow_private_network, created_at, updated_at';

export function trustedIssuerToParams(t: TrustedIssuerRecord): unknown[] {
  return [
    t.name, t.issuer, t.jwksUrl ?? null, t.jwks === null || t.jwks === undefined ? null : JSON.stringify(t.jwks), t.audience ?? null,
    JSON.stringify(t.algorithms), JSON.stringify(t.rules), t.subjectTokens ? 1 : 0, JSON.stringify(t.subjectScopes),
    t.allowPrivateNetwork ? 1 : 0, t.createdAt, t.updatedAt,
  ];
}

export function trustedIssuerFromRow(r: Row): TrustedIssuerRecord {
  return {
    name: String(r.name), issuer: String(r.issuer), jwksUrl: strOrNull(r.jwks_url), jwks: jsonOrNull<{ keys: Record<string, unknown>[] }>(r.jwks),
    audience: strOrNull(r.audience), algorithms: json<AsymmetricAlg[]>(r.algorithms), rules: json<ClaimMappingRule[]>(r.rules),
    subjectTokens: num(r.subject_tokens) === 1, subjectScopes: json<string[]>(r.subject_scopes),
    allowPrivateNetwork: num(r.allow_private_network) === 1, createdAt: num(r.created_at), updatedAt: num(r.updated_at),
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
