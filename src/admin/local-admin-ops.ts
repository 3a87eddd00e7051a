import type { LocalCore } from '../app/open-local.ts';
import type { Config, RouteConfig, RuleConfig } from '../config/schema.ts';
import { canonicalizeTarget, matchesPathPattern } from '../core/canonicalize-path.ts';
import { badRequest } from '../core/errors.ts';
import type { Agent, AgentStatus, AuditRecord } from '../core/types.ts';
import { verifyAudit } from '../audit/verify-audit.ts';
import { auditSealKey } from '../core/hash-chain.ts';
import { RouteTable } from '../gateway/route-table.ts';
import type { CreateAgentInput } from '../identity/agent-service.ts';
import type { ApiKeyView, IssuedKey } from '../identity/api-key-service.ts';
import type { AuditQuery } from '../store/store.ts';
import type { AdminOps, AuditVerification, PolicyExplanation } from './admin-ops.ts';
import { LocalOAuthOps } from './local-oauth-ops.ts';

/** What explain pretends the request looked like: a loopback caller with an API key. */
const EXPLAIN_CLIENT_ADDRESS = '127.0.0.1';
const ADMIN_AUDIT_PAGE_MAX = 1000;

/**
 * AdminOps over the local store and services: used by the admin API inside the gateway process
 * and by the CLI on the gateway's machine. Every change is audited with `actor`. The token
 * service's operations come from LocalOAuthOps.
 */
export class LocalAdminOps extends LocalOAuthOps implements AdminOps {
  readonly #config: () => Readonly<Config>;

  /** `opts.config` gives the config in force after reloads (default: the one the core was opened with). */
  constructor(core: LocalCore, actor: string, opts: { config?: () => Readonly<Config> } = {}) {
    super(core, actor);
    this.#config = opts.config ?? (() => core.loaded.config);
  }

  createAgent(input: CreateAgentInput): Promise<Agent> {
    return this.core.agents.create(input, this.actor);
  }
  listAgents(): Promise<Agent[]> {
    return this.core.agents.list();
  }
  getAgent(ref: string): Promise<Agent> {
    return this.core.agents.get(ref);
  }
  setAgentStatus(ref: string, status: AgentStatus): Promise<Agent> {
    return this.core.agents.setStatus(ref, status, this.actor);
  }

  issueKey(agentRef: string, opts: { scopes?: string[]; ttlDays?: number }): Promise<IssuedKey> {
    return this.core.keys.issue(agentRef, opts, this.actor);
  }
  listKeys(agentRef?: string): Promise<ApiKeyView[]> {
    return this.core.keys.list(agentRef);
  }
  rotateKey(keyId: string, opts: { overlapHours?: number; ttlDays?: number }): Promise<IssuedKey & { previous: ApiKeyView }> {
    return this.core.keys.rotate(keyId, opts, this.actor);
  }
  revokeKey(keyId: string): Promise<ApiKeyView> {
    return this.core.keys.revoke(keyId, this.actor);
  }

  async listRoutes(): Promise<RouteConfig[]> {
    return [...this.#config().routes];
  }

  /** The configured rules plus every loaded policy (rules compiled, and .cedar files) as Cedar text. */
  async listPolicies(): Promise<{ version: string; ids: string[]; rules: RuleConfig[]; cedar: string }> {
    const engine = this.core.policy();
    const ids = [...engine.policyIds];
    const cedar = ids.map((id) => engine.policyText(id) ?? '').join('\n\n');
    return { version: engine.version, ids, rules: [...this.#config().policies.rules], cedar };
  }

  /** Evaluates what the gateway would decide for this agent (any status), method and raw path. */
  async explain(agentRef: string, method: string, path: string): Promise<PolicyExplanation> {
    const agent = await this.core.agents.get(agentRef);
    const engine = this.core.policy();
    const m = method.toUpperCase();
    const base = { agent: agent.name, method: m, path, policyVersion: engine.version };
    const target = canonicalizeTarget(path);
    if (!target.ok) return { ...base, routeId: null, decision: 'deny', reasons: [target.reason], policies: [] };
    const canonical = { ...base, path: target.path };
    const route = matchRoute(this.#config().routes, target.path);
    if (!route) return { ...canonical, routeId: null, decision: 'deny', reasons: ['no_route'], policies: [] };
    const answer = engine.explain({
      agent: { id: agent.id, name: agent.name, owner: agent.owner, labels: agent.labels, scopes: agent.scopes },
      method: m,
      path: target.path,
      routeId: route.id,
      clientAddress: EXPLAIN_CLIENT_ADDRESS,
      credentialType: 'api_key',
      now: this.core.clock.now(),
    });
    return { ...canonical, routeId: route.id, decision: answer.decision, reasons: answer.reasons, policies: answer.policies };
  }

  async queryAudit(query: AuditQuery): Promise<AuditRecord[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > ADMIN_AUDIT_PAGE_MAX) {
      throw badRequest('limit_invalid', `limit must be an integer between 1 and ${ADMIN_AUDIT_PAGE_MAX}`);
    }
    return this.core.store.queryAudit(query);
  }

  verifyAudit(): Promise<AuditVerification> {
    return verifyAudit(this.core.store, { sealKey: auditSealKey(this.core.secret.reveal()) });
  }
}

/** The route a request for `path` would take; explain has no Host, so host-bound routes count too (most specific first). */
function matchRoute(routes: readonly RouteConfig[], path: string): RouteConfig | undefined {
  const table = new RouteTable(routes);
  return table.match(undefined, path) ?? table.routes.find((r) => matchesPathPattern(r.path, path));
}
