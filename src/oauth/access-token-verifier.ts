import { createHash } from 'node:crypto';
import { errors, jwtVerify, type CryptoKey, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock.ts';
import type { ReasonCode } from '../core/reasons.ts';
import type { Agent, RevokedTokenRecord } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { AgentService } from '../identity/agent-service.ts';
import { StampedCache } from '../store/stamped-cache.ts';
import { actorsOf, parseAct } from './delegation.ts';
import type { KeyRing } from './signing-keys.ts';
import { ACCESS_TOKEN_TYP, agentNameOf, type AccessTokenClaims } from './token-claims.ts';

const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SIGNATURE_CACHE_MAX = 50_000;
/** Header parameters that would let a token choose its own key: never honoured, always refused. */
const KEY_SELECTING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;

export type TokenVerification =
  | { ok: true; claims: AccessTokenClaims; agent: Agent; subjectAgent: Agent | undefined; actors: Agent[] }
  | { ok: false; reason: ReasonCode; description: string; agent?: { id: string; name: string }; jti?: string };

/**
 * Verifies Gatehouse's own access tokens: signature with a published key whose algorithm is pinned,
 * `typ`, `iss`, `aud`, `exp`/`nbf` with bounded skew; then, on every call, that the jti is not
 * revoked and that the client, the subject and every actor in the chain are active agents. The
 * signature result is cached by token hash until exp; the per-request checks go through the
 * store's change-stamped caches, so a revocation or suspension applies to the next request.
 */
export class AccessTokenVerifier {
  readonly #keys: KeyRing;
  readonly #store: Store;
  readonly #issuer: () => string;
  readonly #clock: Clock;
  readonly #skew: number;
  readonly #trustDomain: string;
  /** Verified signatures by token hash, with the signing key: a cached result holds only while that key is published. */
  readonly #signatures = new Map<string, { claims: AccessTokenClaims; kid: string }>();
  readonly #agents: Pick<AgentService, 'findByName'>;
  readonly #revoked: StampedCache<{ rec: RevokedTokenRecord | null }>;

  constructor(deps: { keys: KeyRing; store: Store; agents: Pick<AgentService, 'findByName'>; issuer: () => string; clock: Clock; skewSeconds: number; trustDomain: string }) {
    this.#keys = deps.keys;
    this.#store = deps.store;
    this.#issuer = deps.issuer;
    this.#clock = deps.clock;
    this.#skew = deps.skewSeconds;
    this.#trustDomain = deps.trustDomain;
    this.#agents = deps.agents;
    this.#revoked = new StampedCache(deps.store);
  }

  /** `audience` undefined = any audience (introspection, a token-exchange actor or subject token). */
  async verify(token: string, audience: string | undefined): Promise<TokenVerification> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return fail('token_malformed', 'not a compact JWS access token');
    const cacheKey = createHash('sha256').update(token).digest('base64url');
    const now = this.#clock.now() / 1000;
    let cached = this.#signatures.get(cacheKey);
    if (cached === undefined || cached.claims.exp + this.#skew <= now || !this.#keys.isPublished(cached.kid)) {
      const checked = await this.#verifySignature(token);
      if (!checked.ok) return checked;
      cached = { claims: checked.claims, kid: checked.kid };
      if (this.#signatures.size >= SIGNATURE_CACHE_MAX) this.#signatures.clear();
      this.#signatures.set(cacheKey, cached);
    }
    const claims = cached.claims;
    if (claims.nbf - this.#skew > now) return fail('token_invalid', 'token is not yet valid');
    if (audience !== undefined && claims.aud !== audience) return fail('token_wrong_audience', 'token audience does not match this resource', claims.jti);
    const revoked = await this.#revoked.get(claims.jti, async () => ({ rec: (await this.#store.getRevokedToken(claims.jti)) ?? null }));
    if (revoked?.rec) return fail('token_revoked', 'token has been revoked', claims.jti);
    return this.#checkAgents(claims);
  }

  /** Forgets cached results (after a local revocation; other instances see the store's change stamp). */
  forget(token: string): void {
    this.#signatures.delete(createHash('sha256').update(token).digest('base64url'));
  }

  async #checkAgents(claims: AccessTokenClaims): Promise<TokenVerification> {
    const client = await this.#agent(claims.client_id);
    if (!client) return fail('credential_unknown', 'the token\'s client is not a known agent', claims.jti);
    const inactive = (a: Agent): TokenVerification => ({ ok: false, reason: a.status === 'suspended' ? 'agent_suspended' : 'agent_revoked', description: `agent ${a.name} is ${a.status}`, agent: { id: a.id, name: a.name }, jti: claims.jti });
    if (client.status !== 'active') return inactive(client);
    let subjectAgent: Agent | undefined;
    if (claims.sub_iss === undefined) {
      const name = agentNameOf(claims.sub, this.#trustDomain);
      subjectAgent = name === undefined ? undefined : await this.#agent(name);
      if (!subjectAgent) return fail('credential_unknown', 'the token\'s subject is not a known agent', claims.jti);
      if (subjectAgent.status !== 'active') return inactive(subjectAgent);
    }
    const actors: Agent[] = [];
    for (const sub of actorsOf(claims.act)) {
      const name = agentNameOf(sub, this.#trustDomain);
      const actor = name === undefined ? undefined : await this.#agent(name);
      if (!actor) return fail('credential_unknown', 'an actor in the token\'s delegation chain is not a known agent', claims.jti);
      if (actor.status !== 'active') return inactive(actor);
      actors.push(actor);
    }
    return { ok: true, claims, agent: client, subjectAgent, actors };
  }

  #agent(name: string): Promise<Agent | undefined> {
    return this.#agents.findByName(name);
  }

  async #verifySignature(token: string): Promise<{ ok: true; claims: AccessTokenClaims; kid: string } | { ok: false; reason: ReasonCode; description: string }> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header) => this.#keyFor(header), {
        issuer: this.#issuer(),
        typ: ACCESS_TOKEN_TYP,
        algorithms: ['ES256', 'EdDSA', 'Ed25519'],
        clockTolerance: this.#skew,
        currentDate: new Date(this.#clock.now()),
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id', 'scope'],
      });
      const claims = claimsOf(payload);
      return claims ? { ok: true, claims, kid: protectedHeader.kid! } : fail('token_invalid', 'token claims are malformed');
    } catch (err) {
      if (err instanceof errors.JWTExpired) return fail('token_expired', 'token has expired');
      return fail('token_invalid', 'token signature or claims are invalid');
    }
  }

  async #keyFor(header: JWTHeaderParameters): Promise<CryptoKey> {
    if (KEY_SELECTING_HEADERS.some((h) => h in header)) throw new errors.JOSENotSupported('key-selecting header parameters are not accepted');
    const { kid, alg } = header;
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 128 || typeof alg !== 'string') throw new errors.JWSInvalid('kid and alg are required');
    const key = await this.#keys.verificationKey(kid, alg);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }
}

function fail(reason: ReasonCode, description: string, jti?: string): { ok: false; reason: ReasonCode; description: string; jti?: string } {
  return jti === undefined ? { ok: false, reason, description } : { ok: false, reason, description, jti };
}

/** Checks the claim shapes our tokens always have; anything else is not one of ours. */
function claimsOf(p: JWTPayload): AccessTokenClaims | undefined {
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!str(p.iss) || !str(p.sub) || !str(p.aud) || !str(p.jti) || !str(p.client_id) || typeof p.scope !== 'string') return undefined;
  if (!num(p.iat) || !num(p.nbf) || !num(p.exp)) return undefined;
  if (p.sub_iss !== undefined && !str(p.sub_iss)) return undefined;
  let act;
  try {
    act = parseAct(p.act);
  } catch {
    return undefined;
  }
  return {
    iss: p.iss, sub: p.sub, aud: p.aud, scope: p.scope, client_id: p.client_id, jti: p.jti, iat: p.iat, nbf: p.nbf, exp: p.exp,
    ...(act ? { act } : {}), ...(p.sub_iss !== undefined ? { sub_iss: p.sub_iss as string } : {}),
  };
}
