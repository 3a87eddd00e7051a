import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { badRequest, conflict, notFound } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { ASYMMETRIC_ALGS, type AgentKeyRecord, type AsymmetricAlg } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { AgentService } from '../identity/agent-service.ts';
import { adminAuditEntry } from '../identity/admin-audit.ts';
import { newId } from '../identity/ids.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const KID = /^[\x21-\x7e]{1,128}$/;

/** Public keys agents register for private_key_jwt, each pinned to one algorithm. */
export class AgentKeyService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #agents: AgentService;

  constructor(deps: { store: Store; clock: Clock; agents: AgentService }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#agents = deps.agents;
  }

  /**
   * Registers a public JWK. The algorithm comes from `alg` or the JWK's own `alg` (they must agree)
   * and must be asymmetric; private members, symmetric keys and RSA under 2048 bits are refused.
   */
  async add(agentRef: string, jwk: Record<string, unknown>, opts: { alg?: string; kid?: string }, actor: string): Promise<AgentKeyRecord> {
    const agent = await this.#agents.get(agentRef);
    if (agent.status === 'revoked') throw conflict('agent_revoked', `agent "${agent.name}" is revoked`);
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw badRequest('jwk_invalid', 'the key must be a JSON object (a JWK)');
    const priv = PRIVATE_MEMBERS.filter((m) => m in jwk);
    if (priv.length > 0 || jwk.kty === 'oct') throw badRequest('jwk_private', `register the PUBLIC key only (found private or symmetric members: ${priv.join(', ') || 'kty oct'})`);
    const alg = opts.alg ?? (typeof jwk.alg === 'string' ? jwk.alg : undefined);
    if (alg === undefined) throw badRequest('jwk_alg_missing', 'give the algorithm (--alg ES256, EdDSA, RS256, PS256, …) or set "alg" in the JWK');
    if (!(ASYMMETRIC_ALGS as readonly string[]).includes(alg)) throw badRequest('jwk_alg_invalid', `algorithm "${alg}" is not allowed (one of ${ASYMMETRIC_ALGS.join(', ')}; never none or HS*)`);
    if (typeof jwk.alg === 'string' && jwk.alg !== alg) throw badRequest('jwk_alg_mismatch', `the JWK says alg "${jwk.alg}" but "${alg}" was given`);
    try {
      await importJWK(jwk as JWK, alg);
    } catch (err) {
      throw badRequest('jwk_invalid', `the key is not a valid ${alg} public key (${(err as Error).message})`);
    }
    if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && Buffer.from(jwk.n, 'base64url').length < 256) throw badRequest('jwk_too_weak', 'RSA keys must be at least 2048 bits');
    const thumbprint = await calculateJwkThumbprint(jwk as JWK);
    const kid = opts.kid ?? (typeof jwk.kid === 'string' ? jwk.kid : thumbprint);
    if (!KID.test(kid)) throw badRequest('jwk_kid_invalid', 'kid must be 1–128 printable ASCII characters');
    const publicJwk = Object.fromEntries(Object.entries(jwk).filter(([k]) => !['kid', 'alg', 'use', 'key_ops'].includes(k)));
    const record: AgentKeyRecord = { id: newId('akey'), agentId: agent.id, kid, alg: alg as AsymmetricAlg, jwk: publicJwk, thumbprint, createdAt: this.#clock.now(), revokedAt: null };
    await this.#store.insertAgentKey(record);
    await this.#store.appendAudit([adminAuditEntry({ time: record.createdAt, action: 'agent_key.add', actor, agent, credentialId: record.id, details: { kid, alg, thumbprint } })]);
    return record;
  }

  async list(agentRef: string): Promise<AgentKeyRecord[]> {
    const agent = await this.#agents.get(agentRef);
    return this.#store.listAgentKeys(agent.id);
  }

  /** Removes (revokes) a key by id or kid; assertions signed with it fail from the next request. */
  async remove(agentRef: string, keyRef: string, actor: string): Promise<AgentKeyRecord> {
    const agent = await this.#agents.get(agentRef);
    const key = (await this.#store.listAgentKeys(agent.id)).find((k) => (k.id === keyRef || k.kid === keyRef) && k.revokedAt === null);
    if (!key) throw notFound('agent_key_not_found', `agent "${agent.name}" has no live key "${keyRef}"`);
    const updated = await this.#store.revokeAgentKey(key.id, this.#clock.now());
    await this.#store.appendAudit([adminAuditEntry({ time: this.#clock.now(), action: 'agent_key.remove', actor, agent, credentialId: key.id, details: { kid: key.kid } })]);
    return updated ?? key;
  }
}
