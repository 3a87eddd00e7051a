import type { Agent, AuditEntry } from '../core/types.ts';
import { newId } from './ids.ts';

/** Builds the audit entry for an admin change. Admin changes are written synchronously (never queued). */
export function adminAuditEntry(input: { time: number; action: string; actor: string; agent?: Agent; credentialId?: string; details?: Record<string, unknown> }): AuditEntry {
  return {
    time: input.time,
    kind: 'admin',
    requestId: newId('adm'),
    agentId: input.agent?.id ?? null,
    agentName: input.agent?.name ?? null,
    credentialId: input.credentialId ?? null,
    clientAddress: null,
    method: null,
    path: null,
    routeId: null,
    decision: 'allow',
    reasons: [],
    upstreamStatus: null,
    latencyMs: null,
    action: input.action,
    actor: input.actor,
    details: input.details ?? null,
  };
}
