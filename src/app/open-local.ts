import type { Clock } from '../core/clock.ts';
import { systemClock } from '../core/clock.ts';
import type { Secret } from '../core/secret.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { loadServerSecret } from '../config/server-secret.ts';
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
  /** The current policy engine (the running gateway swaps it on reload). */
  policy(): PolicyEngine;
  /** Swaps the policy engine (reload). */
  setPolicy(engine: PolicyEngine): void;
  warnings: string[];
  close(): Promise<void>;
}

/** Opens the store (running migrations), the server secret and the services. */
export async function openLocal(loaded: LoadedConfig, opts: { clock?: Clock; createSecret?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<LocalCore> {
  const { config, baseDir } = loaded;
  const clock = opts.clock ?? systemClock;
  const policy = loadPolicyEngine(config, baseDir); // before the store: a bad policy must not half-start anything
  const { secret, warnings } = loadServerSecret({ file: config.secrets.serverSecretFile, baseDir, create: opts.createSecret ?? true, ...(opts.env ? { env: opts.env } : {}) });
  const store = await openStore(config.store.url, { baseDir, auditSealKey: auditSealKey(secret.reveal()) });
  const agents = new AgentService({ store, clock, trustDomain: config.trustDomain });
  const keys = new ApiKeyService({ store, clock, secret, agents, defaultTtlDays: config.apiKeys.defaultTtlDays, rotationOverlapHours: config.apiKeys.rotationOverlapHours });
  let current = policy;
  return {
    loaded, store, secret, clock, agents, keys, warnings,
    policy: () => current,
    setPolicy: (engine) => {
      current = engine;
    },
    close: async () => {
      await keys.flushLastUsed().catch(() => undefined);
      await store.close();
    },
  };
}
