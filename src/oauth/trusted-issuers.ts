import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock.ts';
import type { TrustedIssuerRecord } from '../core/types.ts';
import type { Store } from '../store/store.ts';
import type { ExternalTokenVerifier } from './grants/grant.ts';
import { JwksSource } from './jwks-source.ts';
import { invalidGrant } from './oauth-error.ts';

const MAX_TOKEN_LENGTH = 16_384;

export interface TrustedIssuersDeps {
  store: Store;
  clock: Clock;
  /** Our issuer and token endpoint: the default accepted `aud` of federation assertions. */
  audiences: () => string[];
  skewSeconds: number;
  /** Fetches a JWKS URL with the outbound guards (SSRF, size, time); a seam for tests. */
  fetchJson: (url: string, opts: { allowPrivateNetwork: boolean }) => Promise<unknown>;
}

/**
 * Verifies tokens from the trusted external issuers in the store: the issuer is chosen by the
 * token's `iss` (exact match), its keys come from its static JWKS or its JWKS URL (fetched with
 * outbound guards, cached, refreshed at most once per cooldown on an unknown kid), and only the
 * algorithms configured for that issuer are accepted.
 */
export class TrustedIssuers implements ExternalTokenVerifier {
  readonly #d: TrustedIssuersDeps;
  readonly #sources = new Map<string, { version: number; source: JwksSource }>();

  constructor(deps: TrustedIssuersDeps) {
    this.#d = deps;
  }

  async verify(token: string, purpose: 'federation' | 'subject'): Promise<{ issuer: TrustedIssuerRecord; claims: JWTPayload }> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalidGrant('the token is too large');
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss; // unverified: only picks whose keys to verify with
    } catch {
      throw invalidGrant('the token is not a JWT');
    }
    const issuer = typeof iss === 'string' ? (await this.#d.store.listTrustedIssuers()).find((i) => i.issuer === iss) : undefined;
    if (!issuer) throw invalidGrant('the token\'s issuer is not trusted');
    if (purpose === 'subject' && !issuer.subjectTokens) throw invalidGrant('this issuer\'s tokens are not accepted as token-exchange subjects');
    if (purpose === 'federation' && issuer.rules.length === 0) throw invalidGrant('this issuer has no agent mapping rules');
    const source = this.#source(issuer);
    try {
      const { payload } = await jwtVerify(token, (header) => source.getKey(header), {
        issuer: issuer.issuer,
        audience: issuer.audience ?? this.#d.audiences(),
        algorithms: issuer.algorithms,
        clockTolerance: this.#d.skewSeconds,
        currentDate: new Date(this.#d.clock.now()),
        requiredClaims: ['iss', 'sub', 'aud', 'exp'],
      });
      return { issuer, claims: payload };
    } catch (err) {
      if ((err as { code?: string }).code === 'jwks_unavailable') throw err;
      throw invalidGrant('the token\'s signature or claims are invalid');
    }
  }

  #source(issuer: TrustedIssuerRecord): JwksSource {
    const known = this.#sources.get(issuer.name);
    if (known && known.version === issuer.updatedAt) return known.source;
    const allowPrivateNetwork = issuer.allowPrivateNetwork;
    const source = new JwksSource({
      ...(issuer.jwks ? { jwks: issuer.jwks } : { url: issuer.jwksUrl! }),
      fetchJson: (url: string) => this.#d.fetchJson(url, { allowPrivateNetwork }),
      allowedAlgs: issuer.algorithms,
      now: () => this.#d.clock.now(),
    });
    this.#sources.set(issuer.name, { version: issuer.updatedAt, source });
    return source;
  }
}
