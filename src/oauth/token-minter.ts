import { CompactSign } from 'jose';
import type { Clock, RandomBytes } from '../core/clock.ts';
import { newId, systemRandom } from '../identity/ids.ts';
import type { ActClaim } from './delegation.ts';
import type { KeyRing } from './signing-keys.ts';
import { ACCESS_TOKEN_TYP, IDENTITY_ASSERTION_TYP, type AccessTokenClaims } from './token-claims.ts';

export interface MintRequest {
  sub: string;
  clientId: string;
  aud: string;
  scopes: readonly string[];
  ttlSeconds: number;
  act?: ActClaim;
  subIss?: string;
}

const ENCODER = new TextEncoder();

/** Signs Gatehouse's JWTs with the key ring's active key. */
export class TokenMinter {
  readonly #keys: KeyRing;
  readonly #issuer: () => string;
  readonly #clock: Clock;
  readonly #random: RandomBytes;

  constructor(deps: { keys: KeyRing; issuer: () => string; clock: Clock; random?: RandomBytes }) {
    this.#keys = deps.keys;
    this.#issuer = deps.issuer;
    this.#clock = deps.clock;
    this.#random = deps.random ?? systemRandom;
  }

  /** An RFC 9068 access token (`typ: at+jwt`). */
  async accessToken(r: MintRequest): Promise<{ token: string; claims: AccessTokenClaims }> {
    const iat = Math.floor(this.#clock.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: this.#issuer(), sub: r.sub, aud: r.aud, scope: r.scopes.join(' '), client_id: r.clientId,
      jti: newId('tok', this.#random), iat, nbf: iat, exp: iat + r.ttlSeconds,
      ...(r.act ? { act: r.act } : {}), ...(r.subIss ? { sub_iss: r.subIss } : {}),
    };
    return { token: await this.#sign({ ...claims }, ACCESS_TOKEN_TYP), claims };
  }

  /**
   * The identity assertion an upstream receives: who calls (agent, scopes, delegation chain) for
   * `aud` = that upstream, valid ≤ 60 s. It is not an access token (`typ` differs) and carries no jti
   * of a token the agent holds, so the upstream cannot replay it at the gateway.
   */
  async identityAssertion(claims: { aud: string; sub: string; agent: string; scope: string; act?: ActClaim; sub_iss?: string; credential_type: string }, ttlSeconds: number): Promise<{ token: string; exp: number }> {
    const iat = Math.floor(this.#clock.now() / 1000);
    const exp = iat + ttlSeconds;
    const token = await this.#sign({ iss: this.#issuer(), ...claims, jti: newId('ida', this.#random), iat, nbf: iat, exp }, IDENTITY_ASSERTION_TYP);
    return { token, exp };
  }

  async #sign(payload: Record<string, unknown>, typ: string): Promise<string> {
    const key = this.#keys.signingKey();
    // CompactSign over the serialized claims: SignJWT would structuredClone and re-validate claims we built ourselves.
    return new CompactSign(ENCODER.encode(JSON.stringify(payload))).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
  }
}
