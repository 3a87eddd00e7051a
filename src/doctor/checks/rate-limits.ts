import type { BucketConfig, Config } from '../../config/schema.ts';
import { pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

// Beyond these a bucket no longer slows anyone down: it is a limit in name only.
export const SENSIBLE = {
  /** Authenticated agents (rateLimit.perAgent, per-agent and per-route overrides). */
  agent: { rate: 1_000, burst: 5_000 },
  /** Unauthenticated traffic per client address (public routes, the token endpoints). */
  address: { rate: 200, burst: 1_000 },
  /** Failed authentications allowed per window before a lockout. */
  maxFailures: 50,
  minLockoutSeconds: 60,
} as const;

const show = (b: BucketConfig): string => `${b.rate} req/s, burst ${b.burst}`;
const tooHigh = (b: BucketConfig, max: { rate: number; burst: number }): boolean => b.rate > max.rate || b.burst > max.burst;

function bucket(field: string, what: string, b: BucketConfig, max: { rate: number; burst: number }): CheckResult {
  if (!tooHigh(b, max)) return pass(`${what}: ${show(b)} (${field})`);
  return warn(`${what} is effectively unlimited: ${show(b)} (${field})`, `Above ${max.rate} req/s or a burst of ${max.burst} the bucket stops nothing an attacker would do. Lower ${field}.`);
}

/** Rate limits exist by default; this flags the ones raised beyond usefulness, and a brute-force lockout that does not bite. */
export function rateLimitVerdicts(config: Readonly<Config>): CheckResult[] {
  const rl = config.rateLimit;
  const out: CheckResult[] = [
    bucket('rateLimit.perAgent', 'per-agent limit', rl.perAgent, SENSIBLE.agent),
    bucket('rateLimit.perAddress', 'per-address limit on unauthenticated requests', rl.perAddress, SENSIBLE.address),
    bucket('oauth.rateLimit', 'per-address limit on the token endpoints', config.oauth.rateLimit, SENSIBLE.address),
  ];
  for (const [name, b] of Object.entries(rl.agents)) {
    if (tooHigh(b, SENSIBLE.agent)) out.push(bucket(`rateLimit.agents.${name}`, `limit for agent "${name}"`, b, SENSIBLE.agent));
  }
  config.routes.forEach((r, i) => {
    if (!r.rateLimit) return;
    const max = r.auth === 'public' ? SENSIBLE.address : SENSIBLE.agent;
    if (tooHigh(r.rateLimit, max)) out.push(bucket(`routes[${i}].rateLimit`, `limit on route "${r.id}"`, r.rateLimit, max));
  });
  const f = rl.authFailures;
  const lockout = `lockout after ${f.maxFailures} failed authentications in ${f.windowSeconds}s, for ${f.lockoutSeconds}s (rateLimit.authFailures)`;
  if (f.maxFailures > SENSIBLE.maxFailures) out.push(warn(`${lockout}: too many guesses allowed`, `Lower rateLimit.authFailures.maxFailures (default 10).`));
  else if (f.lockoutSeconds < SENSIBLE.minLockoutSeconds) out.push(warn(`${lockout}: the lockout is too short to slow guessing`, `Raise rateLimit.authFailures.lockoutSeconds (default 300).`));
  else out.push(pass(lockout));
  if (config.store.url.startsWith('postgres') && config.redis.url === undefined) {
    out.push(warn('rate limits are counted per instance (a shared PostgreSQL store, no redis.url)', 'With several instances behind a balancer each allows the full rate. Set redis.url (or GATEHOUSE_REDIS_URL) to share the counters.'));
  }
  return out;
}

export const rateLimitsCheck: DoctorCheck = {
  id: 'rate-limits',
  title: 'Rate limits and brute-force lockout',
  run: (ctx) => rateLimitVerdicts(ctx.loaded.config),
};
