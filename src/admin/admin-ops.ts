import type { Agent, AgentStatus, AuditRecord } from '../core/types.ts';
import type { Decision, ReasonCode } from '../core/reasons.ts';
import type { ChainProblem } from '../core/hash-chain.ts';
import type { RouteConfig, RuleConfig } from '../config/schema.ts';
import type { ApiKeyView, IssuedKey } from '../identity/api-key-service.ts';
import type { CreateAgentInput } from '../identity/agent-service.ts';
import type { AuditQuery } from '../store/store.ts';
import type { OAuthAdminOps } from './oauth-admin-ops.ts';

export interface PolicyExplanation {
  agent: string;
  method: string;
  path: string;
  routeId: string | null;
  decision: Decision;
  reasons: ReasonCode[];
  /** Cedar text of each policy that determined the decision. */
  policies: { id: string; text: string }[];
  policyVersion: string;
}

export interface AuditVerification {
  ok: boolean;
  count: number;
  problems: ChainProblem[];
}

/**
 * Every admin operation, as typed functions. Two implementations: local (services over the store,
 * used by the admin API and by the CLI on this machine) and remote (the CLI with --admin-url).
 * `actor` identifies who acted, for the audit record. The token service's operations are in
 * OAuthAdminOps.
 */
export interface AdminOps extends OAuthAdminOps {
  createAgent(input: CreateAgentInput): Promise<Agent>;
  listAgents(): Promise<Agent[]>;
  getAgent(ref: string): Promise<Agent>;
  setAgentStatus(ref: string, status: AgentStatus): Promise<Agent>;

  issueKey(agentRef: string, opts: { scopes?: string[]; ttlDays?: number }): Promise<IssuedKey>;
  listKeys(agentRef?: string): Promise<ApiKeyView[]>;
  rotateKey(keyId: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedKey & { previous: ApiKeyView }>;
  revokeKey(keyId: string): Promise<ApiKeyView>;

  listRoutes(): Promise<RouteConfig[]>;
  listPolicies(): Promise<{ version: string; ids: string[]; rules: RuleConfig[]; cedar: string }>;
  explain(agentRef: string, method: string, path: string): Promise<PolicyExplanation>;

  queryAudit(query: AuditQuery): Promise<AuditRecord[]>;
  verifyAudit(): Promise<AuditVerification>;
}
