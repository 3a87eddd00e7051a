import type { RouteConfig } from '../config/schema.ts';
import { fail, pass, warn } from './result.ts';
import type { CheckResult, DoctorContext } from './types.ts';

/** Below this many allowed failures, even one probe could lock this address out: do not probe. */
const PROBE_SEGMENT = 'gatehouse-doctor-probe';

/** A concrete path inside a route's pattern: the exact path, or a made-up child of a prefix. */
export function probePath(route: Pick<RouteConfig, 'path'>): string {
  if (!route.path.endsWith('/*')) return route.path;
  return `${route.path.slice(0, -2)}/${PROBE_SEGMENT}`;
}

/** Judges the status an unauthenticated request to a strict route got. */
export function judgeUnauthenticated(routeId: string, request: string, status: number): CheckResult {
  if (status === 401) return pass(`data plane refused an unauthenticated request to strict route "${routeId}" (${request} → 401)`);
  if (status < 400) {
    return fail(`data plane answered ${status} without a credential on strict route "${routeId}" (${request})`,
      'A strict route must answer 401 before anything is forwarded. Is something other than Gatehouse listening on this port, or is a proxy in front answering itself?');
  }
  if (status === 429) return warn(`data plane answered 429 to ${request} (this address is locked out or rate-limited): authentication not confirmed`, 'Run the doctor again once rateLimit.authFailures.lockoutSeconds have passed.');
  return warn(`data plane answered ${status} to an unauthenticated ${request} on strict route "${routeId}", expected 401`);
}

/**
 * The article's "proxy requires auth" test, once: a request without credentials to the first strict
 * route must get 401. A request with no credential does not count toward rateLimit.authFailures,
 * so the probe cannot lock this machine's agents out.
 */
export async function probeStrictRoute(ctx: DoctorContext): Promise<CheckResult[]> {
  const target = ctx.targets.data;
  if ('skip' in target) return [];
  const config = ctx.loaded.config;
  const route = config.routes.find((r) => r.auth === 'strict');
  if (!route) return [];
  const path = probePath(route);
  const url = new URL(target.url);
  url.pathname = path; // never new URL(path, base): a path starting "//" would change the host
  const outcome = await ctx.probes.http(url, route.host === undefined ? {} : { headers: { host: route.host } });
  const request = `GET ${path}`;
  if ('error' in outcome) return [warn(`unauthenticated probe of strict route "${route.id}" failed (${outcome.error})`)];
  return [judgeUnauthenticated(route.id, request, outcome.status)];
}
