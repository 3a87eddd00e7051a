import type { ServerResponse } from 'node:http';
import type { RouteConfig } from '../config/schema.ts';
import type { RequestContext } from './context.ts';

/**
 * A request Gatehouse answers itself (the OAuth endpoints) instead of forwarding. It still runs the
 * pipeline's shape checks, per-address rate limit, audit gate and audit record; `route` is its
 * built-in route (always `public`: the endpoint authenticates its callers itself).
 */
export interface LocalEndpoint {
  readonly route: RouteConfig;
  handle(ctx: RequestContext, res: ServerResponse): Promise<void>;
}

/** Exact canonical paths → endpoints. Built-in endpoints win over configured routes. */
export class LocalEndpointTable {
  readonly #byPath: ReadonlyMap<string, LocalEndpoint>;
  constructor(byPath: ReadonlyMap<string, LocalEndpoint> = new Map()) {
    this.#byPath = byPath;
  }
  match(path: string): LocalEndpoint | undefined {
    return this.#byPath.get(path);
  }
}
