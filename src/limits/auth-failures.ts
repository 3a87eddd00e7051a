import type { ReasonCode } from '../core/reasons.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { LockoutStatus, RateLimiter } from './rate-limiter.ts';

/**
 * The one rule for failed authentications, at the gateway and at the token service alike: every
 * failure raises the metric; each wrong credential counts toward the address lockout. A request
 * that carried no credential guessed nothing, and counting it would let one misconfigured client
 * (or a scan) lock out every agent sharing its address.
 */
export function countAuthFailure(limiter: Pick<RateLimiter, 'recordAuthFailure'>, metrics: Pick<Metrics, 'authFailures'> | undefined, address: string, reason: ReasonCode): Promise<LockoutStatus> {
  metrics?.authFailures.inc({ reason });
  if (reason === 'credential_missing') return Promise.resolve({ lockedOut: false, retryAfterSeconds: 0 });
  return limiter.recordAuthFailure(address);
}
