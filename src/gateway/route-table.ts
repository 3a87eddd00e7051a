import type { RouteConfig } from '../config/schema.ts';
import { matchesPathPattern } from '../core/canonicalize-path.ts';

/**
 * Routes ordered most specific first: host-bound before any-host, exact before prefix,
 * longer prefixes before shorter. Matching walks the list once; first match wins.
 */
export class RouteTable {
  readonly routes: readonly RouteConfig[];
  constructor(routes: readonly RouteConfig[]) {
    this.routes = [...routes].sort((a, b) => specificity(b) - specificity(a));
  }

  match(host: string | undefined, path: string): RouteConfig | undefined {
    const h = host === undefined ? undefined : stripPort(host).toLowerCase();
    for (const r of this.routes) {
      if (r.host !== undefined && r.host.toLowerCase() !== h) continue;
      if (matchesPathPattern(r.path, path)) return r;
    }
    return undefined;
  }
}

function specificity(r: RouteConfig): number {
  const exact = r.path.endsWith('/*') ? 0 : 1;
  return (r.host !== undefined ? 1_000_000 : 0) + exact * 100_000 + r.path.length;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i === -1 ? host : host.slice(0, i);
}
