import type { BucketConfig } from '../config/schema.ts';

/** The policy name in RateLimit-Policy / RateLimit (draft-ietf-httpapi-ratelimit-headers). */
export const POLICY_NAME = 'burst';

/** The outcome of one rate-limit check, with what the client needs to know. */
export interface RateLimitResult {
  allowed: boolean;
  /** Quota of the current window. */
  limit: number;
  remaining: number;
  /** Seconds until the window's quota is restored. */
  resetSeconds: number;
  /** 0 when allowed. */
  retryAfterSeconds: number;
  /** RateLimit-Policy value, e.g. `"burst";q=100;w=2`. */
  policy: string;
}

/** A quota of `points` requests per `windowSeconds`, the shape rate-limiter-flexible enforces. */
export interface WindowQuota {
  points: number;
  windowSeconds: number;
}

const EPSILON = 1e-9; // keeps 0.29 × 100 = 28.999… from losing a request to float rounding

/**
 * Maps a token bucket (`burst` at once, refilling at `rate`/s) onto one fixed window, which is
 * what rate-limiter-flexible counts: `points` requests per `windowSeconds`, the window starting at
 * a key's first request. We use the window that refills the whole bucket, `burst` per burst/rate
 * seconds, because it keeps both numbers an operator configures: never more than `burst` at once,
 * and never more than `rate`/s sustained. (BurstyRateLimiter — `rate`/1 s plus a burst allowance —
 * would add the two: rate + burst at once and up to 2 × rate sustained, so a client 20% over its
 * rate would never be limited.) The price is the fixed-window edge: a client that drains one window
 * waits for its end instead of 1/rate seconds, and two windows back to back can pass 2 × burst.
 * Windows are whole seconds (RateLimiterRedis truncates to seconds; 0 would mean "never
 * expires"), so when burst/rate is fractional the shorter whole window is used if it keeps more of
 * the rate: rate 30, burst 100 → 90 per 3 s (30/s) rather than 100 per 4 s (25/s).
 * With burst < rate the window is 1 s and the sustained rate is at most `burst`/s.
 */
export function bucketQuota(bucket: BucketConfig): WindowQuota {
  const { rate, burst } = bucket;
  const full: WindowQuota = { points: burst, windowSeconds: Math.max(1, Math.ceil(burst / rate - EPSILON)) };
  const shorterSeconds = Math.floor(burst / rate + EPSILON);
  const shorter: WindowQuota = { points: Math.min(burst, Math.floor(rate * shorterSeconds + EPSILON)), windowSeconds: shorterSeconds };
  if (shorterSeconds < 1 || shorter.points < 1) return full;
  return shorter.points / shorter.windowSeconds > full.points / full.windowSeconds ? shorter : full;
}

/** The RateLimit-Policy field value for a quota (a structured-field list of one item). */
export function policyValue(q: WindowQuota): string {
  return `"${POLICY_NAME}";q=${q.points};w=${q.windowSeconds}`;
}

/** RateLimit-Policy and RateLimit for every response; Retry-After as well when refused. */
export function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': r.policy,
    RateLimit: `"${POLICY_NAME}";r=${r.remaining};t=${r.resetSeconds}`,
  };
  if (!r.allowed) headers['Retry-After'] = String(r.retryAfterSeconds);
  return headers;
}

/** Milliseconds to whole seconds for a header, never 0 while something is pending. */
export function toSeconds(ms: number): number {
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}
