import type { Config } from '../config/schema.ts';
import type { PolicyEngine } from '../policy/policy-engine.ts';
import { parseTrustedProxies, type TrustedProxies } from '../core/forwarding-headers.ts';
import { RouteTable } from './route-table.ts';
import { LocalEndpointTable } from './local-endpoint.ts';

/**
 * Everything a reload may change, bundled so it is swapped as one reference: a request sees
 * either the old routes + policies or the new ones, never a mix.
 */
export interface RuntimeState {
  readonly config: Readonly<Config>;
  readonly routes: RouteTable;
  readonly policy: PolicyEngine;
  readonly trustedProxies: TrustedProxies;
  /** Built-in endpoints (the token service), matched before configured routes. */
  readonly endpoints: LocalEndpointTable;
}

export function buildRuntimeState(config: Readonly<Config>, policy: PolicyEngine, endpoints: LocalEndpointTable = new LocalEndpointTable()): RuntimeState {
  return { config, routes: new RouteTable(config.routes), policy, trustedProxies: parseTrustedProxies([...config.server.trustedProxies]), endpoints };
}
