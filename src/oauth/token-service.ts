import type { Config, RouteConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import type { AgentService } from '../identity/agent-service.ts';
import type { Store } from '../store/store.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import { LocalEndpointTable, type LocalEndpoint } from '../gateway/local-endpoint.ts';
import { AccessTokenVerifier } from './access-token-verifier.ts';
import { AgentKeyService } from './agent-key-service.ts';
import type { ClientAuthMethodModule } from './client-auth/client-auth.ts';
import { ClientSecretBasic } from './client-auth/client-secret-basic.ts';
import { ClientSecretPost } from './client-auth/client-secret-post.ts';
import { PrivateKeyJwt } from './client-auth/private-key-jwt.ts';
import { ClientSecretService } from './client-secret-service.ts';
import { authorizeEndpoint, endpointUrls, jwksEndpoint, metadataDocument, metadataEndpoint } from './endpoints/metadata-endpoint.ts';
import { introspectEndpoint } from './endpoints/introspect-endpoint.ts';
import { revokeEndpoint } from './endpoints/revoke-endpoint.ts';
import { tokenEndpoint } from './endpoints/token-endpoint.ts';
import { ClientAuthGuard } from './endpoints/require-client.ts';
import type { Metrics } from '../obs/metrics.ts';
import { GRANTS } from './grants/grant-registry.ts';
import type { GrantDeps } from './grants/grant.ts';
import { IdentityAsserter } from './identity-asserter.ts';
import { KeyEncryption } from './key-encryption.ts';
import { KeyRing } from './signing-keys.ts';
import { TokenMinter } from './token-minter.ts';
import { TrustedIssuerService } from './trusted-issuer-service.ts';
import { TrustedIssuers } from './trusted-issuers.ts';

export interface TokenServiceDeps {
  config: () => Readonly<Config>;
  store: Store;
  agents: AgentService;
  serverSecret: Secret;
  masterKey: Secret;
  clock: Clock;
  /** Outbound JWKS fetches (SSRF-guarded); a seam for tests. */
  fetchJson: (url: string, opts: { allowPrivateNetwork: boolean }) => Promise<unknown>;
}

/**
 * The OAuth 2.1 authorization server for agents, assembled: signing keys, token minting and
 * verification, client authentication methods, grants, trusted issuers, and the endpoints the
 * data plane serves. Used by the gateway (endpoints + JWT verification) and the CLI (secrets, keys,
 * issuers, rotation, revocation).
 */
export class TokenService {
  readonly keys: KeyRing;
  readonly minter: TokenMinter;
  readonly verifier: AccessTokenVerifier;
  readonly identity: IdentityAsserter;
  readonly secrets: ClientSecretService;
  readonly agentKeys: AgentKeyService;
  readonly issuers: TrustedIssuerService;
  readonly #d: TokenServiceDeps;
  readonly #methods: readonly ClientAuthMethodModule[];
  readonly #grantDeps: GrantDeps;
  #issuer: string | undefined;

  constructor(d: TokenServiceDeps) {
    this.#d = d;
    const o = d.config().oauth;
    this.#issuer = o.issuer;
    const issuer = (): string => this.issuer();
    this.keys = new KeyRing({
      store: d.store, encryption: new KeyEncryption(d.masterKey), clock: d.clock, alg: o.signing.alg, rotationMs: o.signing.rotationHours * 3_600_000,
      // A retired key stays published until anything it signed has expired: the longest token (capped at 1 h) plus skew.
      retainMs: (Math.max(o.accessTokenTtlSeconds, o.upstreamAssertion.ttlSeconds) + o.clockSkewSeconds) * 1000,
    });
    this.minter = new TokenMinter({ keys: this.keys, issuer, clock: d.clock });
    this.verifier = new AccessTokenVerifier({ keys: this.keys, store: d.store, agents: d.agents, issuer, clock: d.clock, skewSeconds: o.clockSkewSeconds, trustDomain: d.config().trustDomain });
    this.identity = new IdentityAsserter({ minter: this.minter, clock: d.clock, ttlSeconds: o.upstreamAssertion.ttlSeconds });
    this.secrets = new ClientSecretService({ store: d.store, clock: d.clock, secret: d.serverSecret, agents: d.agents, defaultTtlDays: o.clientSecrets.defaultTtlDays, rotationOverlapHours: o.clientSecrets.rotationOverlapHours });
    this.agentKeys = new AgentKeyService({ store: d.store, clock: d.clock, agents: d.agents });
    this.issuers = new TrustedIssuerService({ store: d.store, clock: d.clock });
    const audiences = (): string[] => [this.issuer(), endpointUrls(this.issuer()).token];
    this.#methods = [
      new ClientSecretBasic({ agents: d.agents, secrets: this.secrets }),
      new ClientSecretPost({ agents: d.agents, secrets: this.secrets }),
      new PrivateKeyJwt({ agents: d.agents, store: d.store, clock: d.clock, audiences, maxLifetimeSeconds: o.maxAssertionLifetimeSeconds, skewSeconds: o.clockSkewSeconds }),
    ];
    const external = new TrustedIssuers({ store: d.store, clock: d.clock, audiences, skewSeconds: o.clockSkewSeconds, fetchJson: d.fetchJson });
    this.#grantDeps = { config: d.config, issuer, agents: d.agents, minter: this.minter, tokens: this.verifier, external, clock: d.clock };
  }

  /** The issuer URL: configured, or the data-plane URL once it is bound. */
  issuer(): string {
    if (this.#issuer === undefined) throw new Error('token service issuer is not known yet (the data plane is not bound)');
    return this.#issuer;
  }

  /** Sets the issuer from the bound data-plane URL when oauth.issuer is not configured. */
  bindIssuer(dataUrl: string): void {
    this.#issuer ??= dataUrl;
  }

  /** Creates the first keys if needed and starts rotation (the gateway); the CLI calls ensureKeys only. */
  async start(): Promise<void> {
    await this.keys.start();
  }

  stop(): void {
    this.keys.stop();
  }

  /** The built-in endpoints, at exact canonical paths under the issuer's path. */
  endpoints(limiter: Pick<RateLimiter, 'lockoutStatus' | 'recordAuthFailure'>, metrics?: Pick<Metrics, 'authFailures'>): LocalEndpointTable {
    const guard = new ClientAuthGuard(limiter, metrics);
    const cfg = this.#d.config();
    const prefix = new URL(this.issuer()).pathname.replace(/\/+$/, '');
    const route = (id: string, path: string): RouteConfig => ({
      id, path, auth: 'public', rateLimit: cfg.oauth.rateLimit, maxBodyBytes: 64 * 1024, timeoutMs: 30_000, websocket: false, passCallerToken: false,
      upstream: 'http://gatehouse.invalid/', // never used: a local endpoint answers the request itself
    });
    const table = new Map<string, LocalEndpoint>();
    const add = (id: string, path: string, handle: LocalEndpoint['handle']): void => void table.set(path, { route: route(id, path), handle });
    const tokens = this.verifier;
    const doc = (): Record<string, unknown> => metadataDocument(this.issuer(), [...GRANTS.keys()], cfg.oauth.signing.alg);
    add('oauth.metadata', `/.well-known/oauth-authorization-server${prefix}`, metadataEndpoint(doc));
    add('oauth.jwks', `${prefix}/oauth/jwks`, jwksEndpoint(() => this.keys.jwks()));
    add('oauth.token', `${prefix}/oauth/token`, (ctx, res) => tokenEndpoint({ grants: GRANTS, methods: this.#methods, grantDeps: this.#grantDeps, guard }, ctx, res));
    add('oauth.introspect', `${prefix}/oauth/introspect`, introspectEndpoint({ methods: this.#methods, tokens, guard }));
    add('oauth.revoke', `${prefix}/oauth/revoke`, revokeEndpoint({ methods: this.#methods, tokens, store: this.#d.store, clock: this.#d.clock, guard }));
    add('oauth.authorize', `${prefix}/oauth/authorize`, authorizeEndpoint());
    return new LocalEndpointTable(table);
  }
}
