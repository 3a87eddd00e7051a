import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { loadMasterKey, loadServerSecret } from '../config/server-secret.ts';
import type { Config } from '../config/schema.ts';
import { TokenService } from '../oauth/token-service.ts';
import { safeFetchJson } from '../net/safe-fetch.ts';
import { openStore } from '../store/open-store.ts';
import { auditSealKey } from '../core/hash-chain.ts';
import type { Store } from '../store/store.ts';
import { AgentService } from '../identity/agent-service.ts';
import { ApiKeyService } from '../identity/api-key-service.ts';
import type { PolicyEngine } from '../policy/policy-engine.ts';
import { loadPolicyEngine } from './load-policy.ts';

/** The store-backed core every entry point shares: the gateway process and the local CLI. */
export interface LocalCore {
  loaded: LoadedConfig;
  store: Store;
  secret: Secret;
  clock: Clock;
  agents: AgentService;
  keys: ApiKeyService;
  /** The token service (OAuth): client secrets, agent keys, trusted issuers, signing keys, tokens. */
  oauth: TokenService;
  /** The configuration in force (the running gateway swaps it on reload). */
  config(): Readonly<Config>;
  setConfig(config: Readonly<Config>): void;
  /** The current policy engine (the running gateway swaps it on reload). */
  policy(): PolicyEngine;
  /** Swaps the policy engine (reload). */
  setPolicy(engine: PolicyEngine): void;
  warnings: string[];
  close(): Promise<void>;
}

/** Opens the store (running migrations), the server secret and the services. */
export async function openLocal(loaded: LoadedConfig, opts: { clock?: Clock; createSecret?: boolean; env?: NodeJS.ProcessEnv; fetchJson?: (url: string, o: { allowPrivateNetwork: boolean }) => Promise<unknown> } = {}): Promise<LocalCore> {
  const { config, baseDir } = loaded;
  const clock = opts.clock ?? systemClock;
  const policy = loadPolicyEngine(config, baseDir); // before the store: a bad policy must not half-start anything
  const { secret, warnings } = loadServerSecret({ file: config.secrets.serverSecretFile, baseDir, create: opts.createSecret ?? true, ...(opts.env ? { env: opts.env } : {}) });
  const store = await openStore(config.store.url, { baseDir, auditSealKey: auditSealKey(secret.reveal()) });
  const agents = new AgentService({ store, clock, trustDomain: config.trustDomain });
  const keys = new ApiKeyService({ store, clock, secret, agents, defaultTtlDays: config.apiKeys.defaultTtlDays, rotationOverlapHours: config.apiKeys.rotationOverlapHours });
  const master = loadMasterKey({ file: config.secrets.masterKeyFile, baseDir, create: opts.createSecret ?? true, ...(opts.env ? { env: opts.env } : {}) });
  warnings.push(...master.warnings);
  let currentConfig: Readonly<Config> = config;
  const oauth = new TokenService({
    config: () => currentConfig, store, agents, serverSecret: secret, masterKey: master.secret, clock,
    // JWKS fetches are rare (cached per issuer): one guarded fetch each, nothing pooled to close.
    fetchJson: opts.fetchJson ?? ((url, o) => safeFetchJson(url, o)),
  });
  let current = policy;
  return {
    loaded, store, secret, clock, agents, keys, oauth, warnings,
    config: () => currentConfig,
    setConfig: (next) => {
      currentConfig = next;
    },
    policy: () => current,
    setPolicy: (engine) => {
      current = engine;
    },
    close: async () => {
      oauth.stop();
      await keys.flushLastUsed().catch(() => undefined);
      await store.close();
    },
  };
}
