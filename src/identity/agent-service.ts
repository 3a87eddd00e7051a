import { badRequest, conflict, GatehouseError, notFound } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { CLIENT_AUTH_METHODS, type Agent, type AgentStatus, type AuditEntry, type ClientAuthMethod } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import { newId } from './ids.ts';
import { adminAuditEntry } from './admin-audit.ts';
import { StampedCache } from '../store/stamped-cache.ts';

export const AGENT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/; // RFC 6749 scope-token characters

export interface CreateAgentInput {
  name: string;
  owner?: string;
  description?: string;
  labels?: string[];
  scopes?: string[];
  authMethods?: ClientAuthMethod[];
}

/** Agent identities: creation, lookup and the status lifecycle (active ⇄ suspended → revoked). */
export class AgentService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #trustDomain: string;
  readonly #byName: StampedCache<Agent>;

  constructor(deps: { store: Store; clock: Clock; trustDomain: string }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#trustDomain = deps.trustDomain;
    this.#byName = new StampedCache(deps.store);
  }

  /**
   * The agent named `name`, or undefined — for the request path (token endpoint, JWT checks):
   * cached until anything changes in the store, so a suspension still applies to the next request.
   */
  findByName(name: string): Promise<Agent | undefined> {
    return this.#byName.get(name, () => this.#store.getAgentByName(name));
  }

  async create(input: CreateAgentInput, actor: string): Promise<Agent> {
    if (!AGENT_NAME.test(input.name)) throw badRequest('agent_name_invalid', 'agent name must be 1-63 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');
    const labels = unique(input.labels ?? []);
    const scopes = unique(input.scopes ?? []);
    for (const l of labels) if (!LABEL.test(l)) throw badRequest('label_invalid', `label "${l}" is not valid`);
    for (const s of scopes) if (!SCOPE.test(s)) throw badRequest('scope_invalid', `scope "${s}" is not valid`);
    const authMethods = checkAuthMethods(input.authMethods ?? []);
    if (await this.#store.getAgentByName(input.name)) throw conflict('agent_exists', `an agent named "${input.name}" already exists`);
    const now = this.#clock.now();
    const agent: Agent = {
      id: newId('agt'),
      name: input.name,
      spiffeId: `spiffe://${this.#trustDomain}/agent/${input.name}`,
      owner: input.owner ?? actor,
      description: input.description ?? '',
      labels,
      scopes,
      status: 'active',
      authMethods,
      createdAt: now,
      updatedAt: now,
    };
    await this.#store.createAgent(agent);
    await this.#audit('agent.create', actor, agent, { labels, scopes, authMethods });
    return agent;
  }

  /** Finds by id (`agt_…`) or by name; throws 404 `agent_not_found`. */
  async get(ref: string): Promise<Agent> {
    const agent = ref.startsWith('agt_') ? await this.#store.getAgent(ref) : await this.#store.getAgentByName(ref);
    if (!agent) throw notFound('agent_not_found', `no agent "${ref}"`);
    return agent;
  }

  list(): Promise<Agent[]> {
    return this.#store.listAgents();
  }

  /** Suspend, resume (→ active) or revoke. Revocation is final. */
  async setStatus(ref: string, status: AgentStatus, actor: string): Promise<Agent> {
    const agent = await this.get(ref);
    if (agent.status === 'revoked') throw conflict('agent_revoked', `agent "${agent.name}" is revoked; revocation is final`);
    if (agent.status === status) return agent;
    const updated = await this.#store.updateAgent(agent.id, { status, updatedAt: this.#clock.now() });
    if (!updated) throw new GatehouseError('agent_not_found', 404, `no agent "${ref}"`);
    await this.#audit(`agent.${status === 'active' ? 'resume' : status === 'suspended' ? 'suspend' : 'revoke'}`, actor, updated, { from: agent.status, to: status });
    return updated;
  }

  /** Registers exactly these token-endpoint authentication methods for the agent (replacing the previous set). */
  async setAuthMethods(ref: string, methods: ClientAuthMethod[], actor: string): Promise<Agent> {
    const agent = await this.get(ref);
    if (agent.status === 'revoked') throw conflict('agent_revoked', `agent "${agent.name}" is revoked; revocation is final`);
    const authMethods = checkAuthMethods(methods);
    const updated = await this.#store.updateAgent(agent.id, { authMethods, updatedAt: this.#clock.now() });
    if (!updated) throw new GatehouseError('agent_not_found', 404, `no agent "${ref}"`);
    await this.#audit('agent.auth_methods', actor, updated, { from: agent.authMethods, to: authMethods });
    return updated;
  }

  async #audit(action: string, actor: string, agent: Agent, details: Record<string, unknown>): Promise<void> {
    const entry: AuditEntry = adminAuditEntry({ time: this.#clock.now(), action, actor, agent, details });
    await this.#store.appendAudit([entry]);
  }
}

function checkAuthMethods(methods: readonly string[]): ClientAuthMethod[] {
  const known: readonly string[] = CLIENT_AUTH_METHODS;
  for (const m of methods) {
    if (!known.includes(m)) throw badRequest('auth_method_invalid', `unknown token endpoint auth method "${m}" (one of ${CLIENT_AUTH_METHODS.join(', ')})`);
  }
  return unique([...methods]) as ClientAuthMethod[];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}
