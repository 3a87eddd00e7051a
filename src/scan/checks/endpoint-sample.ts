import type { Endpoint, ScanContext } from '../types.ts';
import { sampleValue } from './endpoint-targets.ts';

/** A concrete request target for an inventory endpoint. */
export interface Sample {
  endpoint?: Endpoint;
  /** How reports name it: `GET /api/agents/{id}` (the template, not the filled-in path). */
  label: string;
  /** Path and query to send, e.g. `/api/agents/1`. */
  target: string;
}

/**
 * `/api/agents/{id}` → `/api/agents/1`: each path parameter takes `values[name]` verbatim (callers
 * pass payloads pre-encoded, `%zz` included), else its sample value (URL-encoded).
 */
export function concretePath(ep: Endpoint, values: Record<string, string> = {}): string {
  return ep.path.replace(/\{([^}/]+)\}/g, (_m, name: string) => {
    const given = values[name];
    if (given !== undefined) return given;
    return encodeURIComponent(sampleValue(ep.params.find((p) => p.in === 'path' && p.name === name) ?? { name }));
  });
}

/** The scanned base URL's own path, for when the inventory is empty. */
function basePath(ctx: ScanContext): string {
  const t = ctx.options.target;
  return `${t.pathname || '/'}${t.search}`;
}

/**
 * Up to `max` distinct GET targets from the inventory, in inventory order (recon lists documented
 * endpoints first); the base URL itself when the inventory has no GET endpoint.
 */
export function getSamples(ctx: ScanContext, max: number): Sample[] {
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const endpoint of ctx.inventory) {
    if (out.length >= max) break;
    if (endpoint.method.toUpperCase() !== 'GET') continue;
    const target = concretePath(endpoint);
    if (seen.has(target)) continue;
    seen.add(target);
    out.push({ endpoint, label: `GET ${endpoint.path}`, target });
  }
  if (out.length === 0 && max > 0) out.push({ label: `GET ${ctx.options.target.pathname || '/'}`, target: basePath(ctx) });
  return out;
}
