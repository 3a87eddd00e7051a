import type { Clock } from '../core/clock.ts';
import type { Principal } from '../gateway/context.ts';
import type { TokenMinter } from './token-minter.ts';

const CACHE_MAX = 10_000;

/**
 * The signed identity assertion upstreams receive (header `x-gatehouse-identity`): `aud` = the
 * upstream, lifetime ≤ 60 s, carrying the agent, scopes and delegation chain; verifiable against
 * Gatehouse's JWKS. One assertion per principal and upstream is reused for up to half its lifetime
 * (signing on every request would cost more than the rest of the pipeline).
 */
export class IdentityAsserter {
  readonly #minter: TokenMinter;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #cache = new Map<string, { token: string; exp: number }>();

  constructor(deps: { minter: TokenMinter; clock: Clock; ttlSeconds: number }) {
    this.#minter = deps.minter;
    this.#clock = deps.clock;
    this.#ttl = Math.min(60, deps.ttlSeconds);
  }

  async assertionFor(p: Principal, upstream: string): Promise<string> {
    const d = p.delegation;
    // Agent, scopes and delegation all follow from the credential (an API key's id or a token's jti).
    const key = `${p.credentialType}:${p.credentialId}\n${upstream}`;
    const now = this.#clock.now() / 1000;
    const hit = this.#cache.get(key);
    if (hit && hit.exp - now > this.#ttl / 2) return hit.token;
    const { token, exp } = await this.#minter.identityAssertion(
      {
        aud: upstream, sub: d?.subject ?? p.agent.spiffeId, agent: p.agent.name, scope: p.scopes.join(' '), credential_type: p.credentialType,
        ...(d?.act ? { act: d.act } : {}), ...(d?.subjectIssuer ? { sub_iss: d.subjectIssuer } : {}),
      },
      this.#ttl,
    );
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(key, { token, exp });
    return token;
  }
}
