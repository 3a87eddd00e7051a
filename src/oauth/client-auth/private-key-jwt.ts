import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import type { Clock } from '../../core/clock.ts';
import { ASYMMETRIC_ALGS, type AgentKeyRecord } from '../../core/types.ts';
import type { AgentService } from '../../identity/agent-service.ts';
import type { Store } from '../../store/store.ts';
import type { FormParams } from '../form-body.ts';
import { invalidRequest } from '../oauth-error.ts';
import { ACCESS_TOKEN_TYP, IDENTITY_ASSERTION_TYP } from '../token-claims.ts';
import { invalidClient, type AuthenticatedClient, type ClientAuthMethodModule } from './client-auth.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LENGTH = 8192;
const KEY_SELECTING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'];

/**
 * `private_key_jwt` (RFC 7523 §2.2, RFC 7521 §4.2): a JWT signed with a key the agent registered.
 * The key's algorithm is pinned at registration; `iss` = `sub` = the client id; `aud` must be our
 * issuer or token endpoint; `exp` at most `maxLifetimeSeconds` ahead; `jti` is single-use (kept in
 * the store until expiry, so a replay fails on every instance).
 */
export interface PrivateKeyJwtDeps {
  agents: AgentService;
  store: Store;
  clock: Clock;
  /** The accepted `aud` values: our issuer and token endpoint URL. */
  audiences: () => string[];
  maxLifetimeSeconds: number;
  skewSeconds: number;
}

export class PrivateKeyJwt implements ClientAuthMethodModule {
  readonly method = 'private_key_jwt' as const;
  readonly #d: PrivateKeyJwtDeps;
  readonly #imported = new Map<string, CryptoKey>();

  constructor(deps: PrivateKeyJwtDeps) {
    this.#d = deps;
  }

  presentIn(_req: unknown, form: FormParams): boolean {
    return form.has('client_assertion') || form.has('client_assertion_type');
  }

  async authenticate(_req: unknown, form: FormParams): Promise<AuthenticatedClient> {
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) throw invalidRequest(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
    const assertion = form.get('client_assertion');
    if (assertion === undefined || assertion.length > MAX_ASSERTION_LENGTH) throw invalidRequest('client_assertion is missing or too large');
    let clientId: unknown;
    let header: JWTHeaderParameters;
    try {
      // Unverified, only to find whose keys to verify with; nothing here is trusted yet.
      clientId = decodeJwt(assertion).sub;
      header = decodeProtectedHeader(assertion) as JWTHeaderParameters;
    } catch {
      throw invalidClient();
    }
    if (typeof clientId !== 'string') throw invalidClient();
    const agent = await this.#d.agents.findByName(clientId);
    if (!agent) throw invalidClient();
    const key = await this.#keyFor(agent.id, header);
    const now = this.#d.clock.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, key.crypto, {
        algorithms: [key.record.alg], issuer: agent.name, subject: agent.name, audience: this.#d.audiences(),
        clockTolerance: this.#d.skewSeconds, currentDate: new Date(now), requiredClaims: ['iss', 'sub', 'aud', 'exp', 'jti'],
      }));
    } catch {
      throw invalidClient();
    }
    const { exp, jti } = payload as { exp: number; jti: unknown };
    if (exp * 1000 > now + this.#d.maxLifetimeSeconds * 1000) throw invalidClient();
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalidClient();
    // Recorded only after the signature checks, so nobody can burn another client's jtis.
    const fresh = await this.#d.store.recordAssertionId(`client:${agent.id}`, jti, (exp + this.#d.skewSeconds) * 1000, now);
    if (!fresh) throw invalidClient();
    return { agent, method: this.method, credentialId: key.record.id };
  }

  /** The agent's live key named by `kid` (or its only key of the header's algorithm when no kid), with the algorithm pinned. */
  async #keyFor(agentId: string, header: JWTHeaderParameters): Promise<{ record: AgentKeyRecord; crypto: CryptoKey }> {
    const alg = header.alg;
    if (typeof alg !== 'string' || !(ASYMMETRIC_ALGS as readonly string[]).includes(alg)) throw invalidClient();
    if (KEY_SELECTING_HEADERS.some((h) => h in header)) throw invalidClient();
    if (header.typ !== undefined && [ACCESS_TOKEN_TYP, IDENTITY_ASSERTION_TYP].includes(String(header.typ).toLowerCase())) throw invalidClient();
    const live = (await this.#d.store.listAgentKeys(agentId)).filter((k) => k.revokedAt === null);
    const candidates = header.kid === undefined ? live.filter((k) => k.alg === alg) : live.filter((k) => k.kid === header.kid);
    const record = candidates.length === 1 ? candidates[0]! : undefined;
    if (!record || record.alg !== alg) throw invalidClient();
    let crypto = this.#imported.get(record.id);
    if (!crypto) {
      crypto = (await importJWK(record.jwk as JWK, record.alg)) as CryptoKey;
      this.#imported.set(record.id, crypto);
    }
    return { record, crypto };
  }
}
