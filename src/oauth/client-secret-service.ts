import { badRequest, conflict, notFound } from '../core/errors.ts';
import type { Clock, RandomBytes } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import type { Agent, ClientSecretRecord } from '../core/types.ts';
import { CLIENT_SECRET_PREFIX, generateCredential, hashApiKey, keyHint, parseCredential, safeEqualHex } from '../core/api-key-format.ts';
import type { Store } from '../store/store.ts';
import { StampedCache } from '../store/stamped-cache.ts';
import type { AgentService } from '../identity/agent-service.ts';
import { adminAuditEntry } from '../identity/admin-audit.ts';
import { newId, systemRandom } from '../identity/ids.ts';
import { retireOnRotation } from '../identity/credential-rotation.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** A client secret as shown to operators: never the hash, never the plaintext. */
export type ClientSecretView = Omit<ClientSecretRecord, 'hash'>;
const view = ({ hash: _hash, ...rest }: ClientSecretRecord): ClientSecretView => rest;

export interface IssuedClientSecret {
  /** The plaintext secret: returned exactly once, never stored. */
  secret: string;
  record: ClientSecretView;
}

/**
 * Token-endpoint client secrets (client_secret_basic / client_secret_post): issued once, stored as
 * HMAC-SHA-256 under the server secret, compared in constant time, rotated with an overlap window.
 */
export class ClientSecretService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #secret: Secret;
  readonly #agents: AgentService;
  readonly #random: RandomBytes;
  readonly #defaults: { ttlDays: number; overlapHours: number };
  /** Secret records by keyed hash, until anything changes in the store (revocations apply at once). */
  readonly #byHash: StampedCache<ClientSecretRecord>;

  constructor(deps: { store: Store; clock: Clock; secret: Secret; agents: AgentService; random?: RandomBytes; defaultTtlDays: number; rotationOverlapHours: number }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#secret = deps.secret;
    this.#agents = deps.agents;
    this.#random = deps.random ?? systemRandom;
    this.#defaults = { ttlDays: deps.defaultTtlDays, overlapHours: deps.rotationOverlapHours };
    this.#byHash = new StampedCache(deps.store);
  }

  async issue(agentRef: string, opts: { ttlDays?: number }, actor: string): Promise<IssuedClientSecret> {
    const agent = await this.#activeAgent(agentRef);
    if (!agent.authMethods.some((m) => m === 'client_secret_basic' || m === 'client_secret_post')) {
      throw conflict('auth_method_not_registered', `agent "${agent.name}" is not registered for client_secret_basic or client_secret_post; run: gatehouse agents auth-methods ${agent.name} client_secret_basic`);
    }
    const ttlDays = opts.ttlDays ?? this.#defaults.ttlDays;
    if (!Number.isFinite(ttlDays) || ttlDays <= 0 || ttlDays > 3650) throw badRequest('ttl_invalid', 'ttl must be between 1 and 3650 days');
    return this.#mint(agent, this.#clock.now() + ttlDays * DAY, actor, 'client_secret.issue');
  }

  /** Issues a successor; the old secret keeps working for the overlap window only. */
  async rotate(secretId: string, opts: { overlapHours?: number; ttlDays?: number }, actor: string): Promise<IssuedClientSecret & { previous: ClientSecretView }> {
    const old = await this.#get(secretId);
    const now = this.#clock.now();
    const retire = retireOnRotation(old, now, (opts.overlapHours ?? this.#defaults.overlapHours) * HOUR, { code: 'client_secret', label: 'client secret' });
    const agent = await this.#activeAgent(old.agentId);
    const issued = await this.#mint(agent, now + (opts.ttlDays ?? this.#defaults.ttlDays) * DAY, actor, 'client_secret.rotate', { previous: old.id });
    const previous = await this.#store.updateClientSecret(old.id, { ...retire, replacedBy: issued.record.id });
    return { ...issued, previous: view(previous ?? old) };
  }

  async revoke(secretId: string, actor: string): Promise<ClientSecretView> {
    const rec = await this.#get(secretId);
    if (rec.revokedAt !== null) return view(rec);
    const updated = await this.#store.updateClientSecret(secretId, { revokedAt: this.#clock.now() });
    const agent = await this.#store.getAgent(rec.agentId);
    await this.#store.appendAudit([adminAuditEntry({ time: this.#clock.now(), action: 'client_secret.revoke', actor, credentialId: secretId, ...(agent ? { agent } : {}) })]);
    return view(updated ?? rec);
  }

  async list(agentRef: string): Promise<ClientSecretView[]> {
    const agent = await this.#agents.get(agentRef);
    return (await this.#store.listClientSecrets(agent.id)).map(view);
  }

  /** True when `presented` is a live secret of `agent`. Every failure is just false: the caller says invalid_client. */
  async verify(agent: Agent, presented: string): Promise<{ ok: true; secretId: string } | { ok: false; secretId?: string }> {
    if (!parseCredential(CLIENT_SECRET_PREFIX, presented).ok) return { ok: false };
    const hash = hashApiKey(this.#secret.reveal(), presented);
    const rec = await this.#byHash.get(hash, async () => (await this.#store.findClientSecretByHash(hash)) ?? undefined);
    if (!rec || !safeEqualHex(rec.hash, hash) || rec.agentId !== agent.id) return { ok: false };
    if (rec.revokedAt !== null || rec.expiresAt <= this.#clock.now()) return { ok: false, secretId: rec.id };
    return { ok: true, secretId: rec.id };
  }

  async #activeAgent(ref: string): Promise<Agent> {
    const agent = await this.#agents.get(ref);
    if (agent.status !== 'active') throw conflict('agent_not_active', `agent "${agent.name}" is ${agent.status}`);
    return agent;
  }

  async #get(id: string): Promise<ClientSecretRecord> {
    const found = await this.#store.getClientSecret(id);
    if (!found) throw notFound('client_secret_not_found', `no client secret "${id}"`);
    return found;
  }

  async #mint(agent: Agent, expiresAt: number, actor: string, action: string, details: Record<string, unknown> = {}): Promise<IssuedClientSecret> {
    const secret = generateCredential(CLIENT_SECRET_PREFIX, this.#random);
    const now = this.#clock.now();
    const record: ClientSecretRecord = {
      id: newId('cs', this.#random), agentId: agent.id, hint: keyHint(secret), hash: hashApiKey(this.#secret.reveal(), secret),
      createdAt: now, expiresAt, revokedAt: null, replacedBy: null,
    };
    await this.#store.insertClientSecret(record);
    await this.#store.appendAudit([adminAuditEntry({ time: now, action, actor, agent, credentialId: record.id, details: { expiresAt, ...details } })]);
    return { secret, record: view(record) };
  }
}
