import { z } from 'zod';
import { configSchema } from '../config/schema.ts';
import { CLIENT_AUTH_METHODS } from '../core/types.ts';
import {
  agentModel, apiKeyModel, auditRecordModel, explanationModel, issuedKeyModel, readinessModel, rotatedKeyModel, verificationModel,
} from './api-models.ts';
import { OAUTH_API } from './oauth-api.ts';

// The admin API as data: one entry per operation. The server binds handlers to it, the remote
// client builds its requests from it and openapi.ts documents it, so the three cannot disagree.

const strings = (max: number) => z.array(z.string().min(1).max(max)).max(64);
const intParam = z.string().regex(/^\d{1,15}$/, 'expected a non-negative integer').transform(Number);

export const createAgentBody = z.strictObject({
  name: z.string().min(1).max(63).describe('Unique agent name: a-z, 0-9, ".", "_", "-"'),
  owner: z.string().min(1).max(200).optional().describe('Who is responsible for the agent (defaults to the acting admin)'),
  description: z.string().max(1000).optional(),
  labels: strings(64).optional().describe('Labels policies match on'),
  scopes: strings(128).optional().describe('The most any of its keys may hold'),
  authMethods: z.array(z.enum(CLIENT_AUTH_METHODS)).max(CLIENT_AUTH_METHODS.length).optional().describe('Token-endpoint client authentication methods it may use'),
});
export const issueKeyBody = z.strictObject({
  scopes: strings(128).optional().describe("Subset of the agent's scopes (default: all of them)"),
  ttlDays: z.number().int().min(1).max(3650).optional(),
});
export const rotateKeyBody = z.strictObject({
  overlapHours: z.number().min(0).max(720).optional().describe('How long the old key keeps working'),
  ttlDays: z.number().int().min(1).max(3650).optional(),
});
const noBody = z.strictObject({});
const noQuery = z.strictObject({});
export const keysQuery = z.strictObject({ agent: z.string().min(1).max(200).optional() });
export const explainQuery = z.strictObject({
  agent: z.string().min(1).max(200), method: z.string().regex(/^[A-Za-z]{1,16}$/, 'expected an HTTP method'), path: z.string().min(1).max(8192),
});
export const auditQueryParams = z.strictObject({
  agent: z.string().min(1).max(200).optional(),
  decision: z.enum(['allow', 'deny', 'error']).optional(),
  kind: z.enum(['request', 'admin', 'security']).optional(),
  after: intParam.optional().describe('Only records with seq greater than this'),
  limit: intParam.optional().describe('1-1000, default 100'),
  order: z.enum(['asc', 'desc']).optional().describe('default desc (newest first)'),
});

export interface Operation {
  method: 'GET' | 'POST';
  /** Path template; `{name}` is one percent-encoded segment. */
  path: string;
  summary: string;
  /** Success status (default 200). */
  status?: number;
  query: z.ZodType;
  body?: z.ZodType;
  /** JSON response schema, or 'text' for non-JSON (metrics). */
  response: z.ZodType | 'text';
  /** Served without the admin token (health probes). */
  public?: boolean;
}

const listOf = (model: z.ZodType, key: string) => z.object({ [key]: z.array(model) });
const routes = configSchema.shape.routes.unwrap();
const rules = configSchema.shape.policies.unwrap().shape.rules.unwrap();

export const ADMIN_API = {
  listAgents: { method: 'GET', path: '/v1/agents', summary: 'List agents', query: noQuery, response: listOf(agentModel, 'agents') },
  createAgent: { method: 'POST', path: '/v1/agents', summary: 'Create an agent', status: 201, query: noQuery, body: createAgentBody, response: agentModel },
  getAgent: { method: 'GET', path: '/v1/agents/{ref}', summary: 'Show an agent by id or name', query: noQuery, response: agentModel },
  suspendAgent: { method: 'POST', path: '/v1/agents/{ref}/suspend', summary: 'Suspend an agent (its keys stop working)', query: noQuery, body: noBody, response: agentModel },
  resumeAgent: { method: 'POST', path: '/v1/agents/{ref}/resume', summary: 'Resume a suspended agent', query: noQuery, body: noBody, response: agentModel },
  revokeAgent: { method: 'POST', path: '/v1/agents/{ref}/revoke', summary: 'Revoke an agent (final)', query: noQuery, body: noBody, response: agentModel },
  issueKey: { method: 'POST', path: '/v1/agents/{ref}/keys', summary: 'Issue an API key (the plaintext is in this response only)', status: 201, query: noQuery, body: issueKeyBody, response: issuedKeyModel },
  listKeys: { method: 'GET', path: '/v1/keys', summary: 'List API keys (never the key or its hash)', query: keysQuery, response: listOf(apiKeyModel, 'keys') },
  rotateKey: { method: 'POST', path: '/v1/keys/{id}/rotate', summary: 'Rotate a key: a successor now, the old one for the overlap only', status: 201, query: noQuery, body: rotateKeyBody, response: rotatedKeyModel },
  revokeKey: { method: 'POST', path: '/v1/keys/{id}/revoke', summary: 'Revoke a key at once', query: noQuery, body: noBody, response: apiKeyModel },
  listRoutes: { method: 'GET', path: '/v1/routes', summary: 'Configured routes', query: noQuery, response: z.object({ routes }) },
  listPolicies: {
    method: 'GET', path: '/v1/policies', summary: 'Policy rules, loaded policy ids, version and Cedar text', query: noQuery,
    response: z.object({ version: z.string(), ids: z.array(z.string()), rules, cedar: z.string() }),
  },
  explainPolicy: { method: 'GET', path: '/v1/policies/explain', summary: 'What the gateway would decide for an agent, method and path', query: explainQuery, response: explanationModel },
  queryAudit: { method: 'GET', path: '/v1/audit', summary: 'Query audit records', query: auditQueryParams, response: listOf(auditRecordModel, 'records') },
  verifyAudit: { method: 'GET', path: '/v1/audit/verify', summary: 'Verify the audit hash chain', query: noQuery, response: verificationModel },
  ...OAUTH_API,
  openapi: { method: 'GET', path: '/v1/openapi.json', summary: 'This document', query: noQuery, response: z.object({ openapi: z.string() }) },
  metrics: { method: 'GET', path: '/metrics', summary: 'Prometheus metrics (text format)', query: noQuery, response: 'text' },
  healthz: { method: 'GET', path: '/healthz', summary: 'Liveness', query: noQuery, response: z.object({ status: z.literal('ok') }), public: true },
  readyz: { method: 'GET', path: '/readyz', summary: 'Readiness (503 when not ready; check names only)', query: noQuery, response: readinessModel, public: true },
} as const satisfies Record<string, Operation>;

export type AdminApi = typeof ADMIN_API;
export type OperationName = keyof AdminApi;
type QueryOf<K extends OperationName> = z.output<AdminApi[K]['query']>;
type BodyOf<K extends OperationName> = AdminApi[K] extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;

/** What a handler receives: decoded path parameters and the validated query and body. */
export interface OperationInput<K extends OperationName> {
  params: Record<string, string>;
  query: QueryOf<K>;
  body: BodyOf<K>;
}
