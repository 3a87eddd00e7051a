import { z } from 'zod';
import { CLIENT_AUTH_METHODS, type Agent, type AuditRecord } from '../core/types.ts';
import type { ApiKeyView } from '../identity/api-key-service.ts';
import type { AuditVerification, PolicyExplanation } from './admin-ops.ts';
import { REASONS } from '../core/reasons.ts';

// Response shapes of the admin API, for the OpenAPI document. The `Same` checks at the bottom make
// the type-checker fail when a domain type changes and these drift from it.

const epochMs = z.number().int().describe('Epoch milliseconds');
const decision = z.enum(['allow', 'deny', 'error']);
const reason = z.string().describe(`A reason code: ${REASONS.join(', ')}, or policy:<id>`);

export const agentModel = z.object({
  id: z.string().describe('agt_…'), name: z.string(), spiffeId: z.string(), owner: z.string(), description: z.string(),
  labels: z.array(z.string()), scopes: z.array(z.string()), status: z.enum(['active', 'suspended', 'revoked']),
  authMethods: z.array(z.enum(CLIENT_AUTH_METHODS)).describe('Token-endpoint client authentication methods this agent may use'),
  createdAt: epochMs, updatedAt: epochMs,
});

export const apiKeyModel = z.object({
  id: z.string().describe('key_…'), agentId: z.string(), hint: z.string().describe('First characters only; never the key'),
  scopes: z.array(z.string()), createdAt: epochMs, expiresAt: epochMs, lastUsedAt: epochMs.nullable(),
  revokedAt: epochMs.nullable(), replacedBy: z.string().nullable(),
});

export const issuedKeyModel = z.object({
  key: z.string().describe('The plaintext API key. Returned exactly once; store it now.'),
  record: apiKeyModel,
});

export const rotatedKeyModel = issuedKeyModel.extend({ previous: apiKeyModel });

export const auditRecordModel = z.object({
  seq: z.number().int(), prevHash: z.string(), hash: z.string(), time: epochMs, kind: z.enum(['request', 'admin', 'security']),
  requestId: z.string(), agentId: z.string().nullable(), agentName: z.string().nullable(), credentialId: z.string().nullable(),
  clientAddress: z.string().nullable(), method: z.string().nullable(), path: z.string().nullable(), routeId: z.string().nullable(),
  decision, reasons: z.array(reason), upstreamStatus: z.number().int().nullable(), latencyMs: z.number().nullable(),
  action: z.string().nullable(), actor: z.string().nullable(), details: z.record(z.string(), z.unknown()).nullable(),
});

export const explanationModel = z.object({
  agent: z.string(), method: z.string(), path: z.string().describe('The canonical path when it is valid'), routeId: z.string().nullable(),
  decision, reasons: z.array(reason), policies: z.array(z.object({ id: z.string(), text: z.string() })), policyVersion: z.string(),
});

export const verificationModel = z.object({
  ok: z.boolean(), count: z.number().int(),
  problems: z.array(z.object({ seq: z.number().int(), kind: z.enum(['edited', 'missing', 'inserted', 'truncated', 'unsealed']), detail: z.string() })),
});

export const problemModel = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), code: z.string().describe('Stable error code'),
  detail: z.string().optional(), instance: z.string().optional(),
});

export const readinessModel = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.enum(['ok', 'fail'])) });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const drift = <T extends true>(_: T): void => undefined;
drift<Same<z.infer<typeof agentModel>, Agent>>(true);
drift<Same<z.infer<typeof apiKeyModel>, ApiKeyView>>(true);
drift<Same<Omit<z.infer<typeof auditRecordModel>, 'reasons'>, Omit<AuditRecord, 'reasons'>>>(true);
drift<Same<Omit<z.infer<typeof explanationModel>, 'reasons'>, Omit<PolicyExplanation, 'reasons'>>>(true);
drift<Same<z.infer<typeof verificationModel>, AuditVerification>>(true);
