import { badRequest, conflict, notFound } from '../core/errors.ts';
import type { Clock, RandomBytes } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import type { Agent, ApiKeyRecord } from '../core/types.ts';
import type { ReasonCode } from '../core/reasons.ts';
import { generateApiKey, hashApiKey, keyHint, parseApiKey, safeEqualHex } from '../core/api-key-format.ts';
import type { Store } from '../store/store.ts';
import { StampedCache } from '../store/stamped-cache.ts';
import type { AgentService } from './agent-service.ts';
import { adminAuditEntry } from './admin-audit.ts';
import { newId, systemRandom } from './ids.ts';
import { retireOnRotation } from './credential-rotation.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const CACHE_MAX = 10_000;

/** A key as shown to operators: never the hash, never the plaintext. */
export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;
export const keyView = ({ hash: _hash, ...rest }: ApiKeyRecord): ApiKeyView => rest;

export interface IssuedKey {
  /** The plaintext key: returned exactly once, never stored. */
  key: string;
  record: ApiKeyView;
}

export type KeyAuthResult =
  | { ok: true; agent: Agent; key: ApiKeyRecord }
  | { ok: false; reason: ReasonCode; agent?: Agent; keyId?: string };

/** API keys: issue (shown once), verify (keyed hash, constant-time), rotate with overlap, revoke. */
export class ApiKeyService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #secret: Secret;
  readonly #agents: AgentService;
  readonly #random: RandomBytes;
  readonly #defaults: { ttlDays: number; overlapHours: number };
  /** last-used times, flushed in batches off the request path. */
  readonly #touched = new Map<string, number>();
  readonly #cache: StampedCache<{ key: ApiKeyRecord; agent: Agent | undefined }>;

  constructor(deps: { store: Store; clock: Clock; secret: Secret; agents: AgentService; random?: RandomBytes; defaultTtlDays: number; rotationOverlapHours: number }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#secret = deps.secret;
    this.#agents = deps.agents;
    this.#random = deps.random ?? systemRandom;
    this.#defaults = { ttlDays: deps.defaultTtlDays, overlapHours: deps.rotationOverlapHours };
    this.#cache = new StampedCache(deps.store, CACHE_MAX);
  }

  async issue(agentRef: string, opts: { scopes?: string[]; ttlDays?: number }, actor: string): Promise<IssuedKey> {
    const agent = await this.#agents.get(agentRef);
    if (agent.status !== 'active') throw conflict('agent_not_active', `agent "${agent.name}" is ${agent.status}`);
    const scopes = [...new Set(opts.scopes ?? agent.scopes)].sort();
    const extra = scopes.filter((s) => !agent.scopes.includes(s));
    if (extra.length > 0) throw badRequest('scope_not_allowed', `scopes not allowed for agent "${agent.name}": ${extra.join(', ')}`);
    const ttlDays = opts.ttlDays ?? this.#defaults.ttlDays;
    if (!Number.isFinite(ttlDays) || ttlDays <= 0 || ttlDays > 3650) throw badRequest('ttl_invalid', 'ttl must be between 1 and 3650 days');
    return this.#mint(agent, scopes, this.#clock.now() + ttlDays * DAY, actor, 'key.issue');
  }

  /** Issues a successor with the same scopes; the old key keeps working for the overlap window only. */
  async rotate(keyId: string, opts: { overlapHours?: number; ttlDays?: number }, actor: string): Promise<IssuedKey & { previous: ApiKeyView }> {
    const old = await this.#get(keyId);
    const now = this.#clock.now();
    const retire = retireOnRotation(old, now, (opts.overlapHours ?? this.#defaults.overlapHours) * HOUR, { code: 'key', label: 'key' });
    const agent = await this.#agents.get(old.agentId);
    if (agent.status !== 'active') throw conflict('agent_not_active', `agent "${agent.name}" is ${agent.status}`);
    const ttl = (opts.ttlDays ?? this.#defaults.ttlDays) * DAY;
    const issued = await this.#mint(agent, old.scopes, now + ttl, actor, 'key.rotate', { previous: old.id });
    const previous = await this.#store.updateApiKey(old.id, { ...retire, replacedBy: issued.record.id });
    return { ...issued, previous: keyView(previous ?? old) };
  }

  async revoke(keyId: string, actor: string): Promise<ApiKeyView> {
    const key = await this.#get(keyId);
    if (key.revokedAt !== null) return keyView(key);
    const updated = await this.#store.updateApiKey(keyId, { revokedAt: this.#clock.now() });
    const agent = await this.#store.getAgent(key.agentId);
    await this.#store.appendAudit([adminAuditEntry({ time: this.#clock.now(), action: 'key.revoke', actor, credentialId: keyId, ...(agent ? { agent } : {}) })]);
    return keyView(updated ?? key);
  }

  async list(agentRef?: string): Promise<ApiKeyView[]> {
    const agentId = agentRef === undefined ? undefined : (await this.#agents.get(agentRef)).id;
    return (await this.#store.listApiKeys(agentId)).map(keyView);
  }

  /** Verifies a presented key. Every failure is a reason code; nothing here throws for bad input. */
  async authenticate(candidate: string): Promise<KeyAuthResult> {
    if (!parseApiKey(candidate).ok) return { ok: false, reason: 'credential_malformed' };
    const found = await this.#lookup(hashApiKey(this.#secret.reveal(), candidate));
    if (!found) return { ok: false, reason: 'credential_unknown' };
    const { key, agent } = found;
    const now = this.#clock.now();
    if (key.revokedAt !== null) return { ok: false, reason: 'credential_revoked', keyId: key.id };
    if (key.expiresAt <= now) return { ok: false, reason: 'credential_expired', keyId: key.id };
    if (!agent) return { ok: false, reason: 'credential_unknown', keyId: key.id };
    if (agent.status !== 'active') return { ok: false, reason: agent.status === 'suspended' ? 'agent_suspended' : 'agent_revoked', agent, keyId: key.id };
    this.#touched.set(key.id, now);
    return { ok: true, agent, key };
  }

  /** Key + agent by keyed hash, cached until anything changes in the store (see StampedCache). */
  #lookup(hash: string): Promise<{ key: ApiKeyRecord; agent: Agent | undefined } | undefined> {
    return this.#cache.get(hash, async () => {
      const key = await this.#store.findApiKeyByHash(hash);
      // The lookup is by keyed hash (an attacker can't steer it); the constant-time compare guards the match itself.
      if (!key || !safeEqualHex(key.hash, hash)) return undefined;
      return { key, agent: await this.#store.getAgent(key.agentId) };
    });
  }

  /** Writes pending last-used times (called on a timer and at shutdown), by default through the store. */
  async flushLastUsed(sink: Pick<Store, 'touchApiKeys'> = this.#store): Promise<void> {
    if (this.#touched.size === 0) return;
    const updates = [...this.#touched].map(([id, lastUsedAt]) => ({ id, lastUsedAt }));
    this.#touched.clear();
    await sink.touchApiKeys(updates);
  }

  async #get(keyId: string): Promise<ApiKeyRecord> {
    const key = await this.#store.getApiKey(keyId);
    if (!key) throw notFound('key_not_found', `no API key "${keyId}"`);
    return key;
  }

  async #mint(agent: Agent, scopes: string[], expiresAt: number, actor: string, action: string, details: Record<string, unknown> = {}): Promise<IssuedKey> {
    const key = generateApiKey(this.#random);
    const now = this.#clock.now();
    const record: ApiKeyRecord = {
      id: newId('key', this.#random), agentId: agent.id, hint: keyHint(key), hash: hashApiKey(this.#secret.reveal(), key),
      scopes, createdAt: now, expiresAt, lastUsedAt: null, revokedAt: null, replacedBy: null,
    };
    await this.#store.insertApiKey(record);
    await this.#store.appendAudit([adminAuditEntry({ time: now, action, actor, agent, credentialId: record.id, details: { scopes, expiresAt, ...details } })]);
    return { key, record: keyView(record) };
  }
}
