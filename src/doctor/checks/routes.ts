import { isLoopback } from '../../config/exposure.ts';
import type { Config, RouteConfig, RuleConfig } from '../../config/schema.ts';
import { pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

/** A path pattern as a set of paths: exactly `base`, or `base` and everything below it. */
interface Pattern {
  base: string;
  prefix: boolean;
}

function patternOf(p: string): Pattern {
  const prefix = p.endsWith('/*');
  const base = prefix ? p.slice(0, -2) : p;
  // A policy's "{agent}" segment matches any agent's name: treat it as "anything below here".
  const segments = base.split('/');
  const agent = segments.indexOf('{agent}');
  return agent === -1 ? { base, prefix } : { base: segments.slice(0, agent).join('/'), prefix: true };
}

const under = (path: string, base: string): boolean => base === '' || path === base || path.startsWith(`${base}/`);

/** Whether two patterns share at least one path. */
export function patternsOverlap(a: string, b: string): boolean {
  const p = patternOf(a);
  const q = patternOf(b);
  if (!p.prefix && !q.prefix) return p.base === q.base;
  if (p.prefix && q.prefix) return under(p.base, q.base) || under(q.base, p.base);
  const [wide, exact] = p.prefix ? [p, q] : [q, p];
  return under(exact.base, wide.base);
}

/** Whether some permit rule can allow requests on this route (policy is default-deny). */
export function permittedByRules(route: RouteConfig, rules: readonly RuleConfig[]): boolean {
  return rules.some((r) => r.effect === 'permit' && (r.routes === undefined || r.routes.includes(route.id)) && r.paths.some((p) => patternsOverlap(p, route.path)));
}

function upstreamVerdict(route: RouteConfig): CheckResult[] {
  const u = new URL(route.upstream);
  if (u.protocol !== 'http:' || isLoopback(u.hostname)) return [];
  return [warn(`route "${route.id}" forwards to ${u.origin} over plain HTTP`, 'Request bodies and the signed identity assertion cross the network unencrypted. Use an https:// upstream, or keep the upstream on this machine (127.0.0.1).')];
}

/** Every route strict unless it says `auth: public`; public ones are named; strict ones no policy permits are dead. */
export function routeVerdicts(config: Readonly<Config>): CheckResult[] {
  const routes = config.routes;
  if (routes.length === 0) return [warn('no routes are configured: the data plane forwards nothing', 'Add routes (id, path, upstream) to put APIs behind Gatehouse.')];
  const out: CheckResult[] = [];
  const strict = routes.filter((r) => r.auth === 'strict');
  if (strict.length > 0) out.push(pass(`${strict.length === 1 ? 'the strict route requires' : `all ${strict.length} strict routes require`} a credential (${strict.map((r) => r.id).join(', ')})`));
  routes.forEach((r, i) => {
    if (r.auth === 'public') {
      out.push(warn(`route "${r.id}" is public by choice`, `routes[${i}].auth: public — anyone who reaches the data plane can call ${r.path} without a credential (it is still rate-limited per address and audited). Remove the line unless that is intended.`));
    } else if (!permittedByRules(r, config.policies.rules)) {
      out.push(config.policies.files.length > 0
        ? warn(`no policies.rules rule permits route "${r.id}" (${r.path}); policies.files may (Cedar files are not analysed)`)
        : warn(`no policy permits route "${r.id}" (${r.path}): every request to it is denied`, 'Policy is default-deny. Add a policies.rules entry (agents, methods, paths) for it, or remove the route.'));
    }
    out.push(...upstreamVerdict(r));
  });
  return out;
}

export const routesCheck: DoctorCheck = {
  id: 'routes',
  title: 'Routes: authenticated unless explicitly public',
  run: (ctx) => routeVerdicts(ctx.loaded.config),
};
