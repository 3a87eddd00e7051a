import type { Redis, RedisOptions } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { BucketConfig } from '../config/schema.ts';
import { GatehouseError } from '../core/errors.ts';
import { bucketQuota, policyValue, toSeconds } from './rate-limit-headers.ts';
import type { RateLimitResult, WindowQuota } from './rate-limit-headers.ts';

export type { RateLimitResult } from './rate-limit-headers.ts';

export interface LockoutStatus {
  lockedOut: boolean;
  retryAfterSeconds: number;
}

export interface AuthFailureConfig {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

/** Request budgets and the failed-authentication lockout. Every method fails closed: it throws (503) when the counter store is unreachable. */
export interface RateLimiter {
  /** Takes one request from `key`'s bucket. The key names the scope (agent + route, or client address). */
  consume(key: string, bucket: BucketConfig): Promise<RateLimitResult>;
  /** Counts a failed authentication from `address`; the maxFailures-th within the window locks it out. */
  recordAuthFailure(address: string): Promise<LockoutStatus>;
  lockoutStatus(address: string): Promise<LockoutStatus>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** redis:// or rediss:// URL: counters shared by every replica. Absent: in-process counters. */
  redisUrl?: string;
  /** Namespace for every counter key (default `gatehouse`). */
  keyPrefix?: string;
  authFailures: AuthFailureConfig;
  /** Connect and command timeout for Redis (default 1000 ms): a stalled Redis fails requests, it does not hang them. */
  redisTimeoutMs?: number;
  /** Redis connection errors (it keeps reconnecting in the background). */
  onError?: (err: unknown) => void;
}

type Limiter = RateLimiterMemory | RateLimiterRedis;
interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
}

/**
 * Builds the rate limiter: in-process counters by default, Redis when `redisUrl` is given. Does
 * not fail when Redis is down at start: requests are refused until it answers.
 */
export async function createRateLimiter(opts: RateLimiterOptions): Promise<RateLimiter> {
  const prefix = opts.keyPrefix ?? 'gatehouse';
  const redis = opts.redisUrl === undefined ? undefined : await connectRedis(opts.redisUrl, opts.redisTimeoutMs ?? 1_000, opts.onError);
  // No insuranceLimiter: a fallback would let each replica allow the full budget while Redis is down.
  const make = (o: LimiterOptions): Limiter =>
    redis ? new RateLimiterRedis({ ...o, storeClient: redis, rejectIfRedisNotReady: true }) : new RateLimiterMemory(o);

  const { maxFailures, windowSeconds, lockoutSeconds } = opts.authFailures;
  // blockDuration also covers a race between replicas: whichever failure overshoots re-asserts the block.
  const auth = make({ keyPrefix: `${prefix}:authfail`, points: maxFailures, duration: windowSeconds, blockDuration: lockoutSeconds });

  // One limiter per distinct bucket config; configs are few (the defaults plus route overrides).
  // Looked up by config object first: configs are frozen, so the same object is the same bucket.
  type Bucket = { limiter: Limiter; quota: WindowQuota; policy: string };
  const buckets = new Map<string, Bucket>();
  const byConfig = new WeakMap<BucketConfig, Bucket>();
  const bucketFor = (bucket: BucketConfig): Bucket => {
    let entry = byConfig.get(bucket);
    if (entry) return entry;
    const id = `${bucket.rate}:${bucket.burst}`;
    entry = buckets.get(id);
    if (!entry) {
      const quota = bucketQuota(bucket);
      entry = { limiter: make({ keyPrefix: `${prefix}:rl:${id}`, points: quota.points, duration: quota.windowSeconds }), quota, policy: policyValue(quota) };
      buckets.set(id, entry);
    }
    byConfig.set(bucket, entry);
    return entry;
  };
  const result = (b: Bucket, allowed: boolean, res: RateLimiterRes): RateLimitResult => {
    const resetSeconds = toSeconds(res.msBeforeNext);
    return {
      allowed,
      limit: b.quota.points,
      remaining: allowed ? res.remainingPoints : 0,
      resetSeconds,
      retryAfterSeconds: allowed ? 0 : Math.max(1, resetSeconds),
      policy: b.policy,
    };
  };

  return {
    // Runs on every request: one promise from rate-limiter-flexible, mapped once (no async wrappers).
    consume(key, bucket) {
      const b = bucketFor(bucket);
      return consumed(() => b.limiter.consume(key)).then((o) => result(b, o.allowed, o.res));
    },

    async recordAuthFailure(address) {
      const outcome = await consumed(() => auth.consume(address));
      if (!outcome.allowed) return { lockedOut: true, retryAfterSeconds: Math.max(1, toSeconds(outcome.res.msBeforeNext)) };
      if (outcome.res.consumedPoints < maxFailures) return NOT_LOCKED;
      // The maxFailures-th failure itself locks; blockDuration alone would wait for one more.
      await fromStore(() => auth.block(address, lockoutSeconds));
      return { lockedOut: true, retryAfterSeconds: lockoutSeconds };
    },

    lockoutStatus(address) {
      // Runs on every authenticated request, before the credential check.
      return fromStore(() => auth.get(address)).then((res) => {
        // msBeforeNext ≤ 0: the in-memory record outlived its expiry by a timer tick.
        if (!res || res.consumedPoints < maxFailures || res.msBeforeNext <= 0) return NOT_LOCKED;
        return { lockedOut: true, retryAfterSeconds: toSeconds(res.msBeforeNext) };
      });
    },

    async close() {
      if (!redis) return;
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

const NOT_LOCKED: LockoutStatus = Object.freeze({ lockedOut: false, retryAfterSeconds: 0 });

/** A counter-store call with a synchronous throw (should a client ever throw instead of rejecting) turned into a rejection. */
function invoke<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Fails closed: any counter-store failure becomes rate_limit_unavailable (503). No async wrapper: it runs on every request. */
function fromStore<T>(call: () => Promise<T>): Promise<T> {
  return invoke(call).catch((err: unknown) => {
    throw unavailable(err);
  });
}

/** A consume: rate-limiter-flexible rejects with a RateLimiterRes when over the limit, and with an Error when its store fails. */
function consumed(call: () => Promise<RateLimiterRes>): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  return invoke(call).then(
    (res) => ({ allowed: true, res }),
    (err: unknown) => {
      if (err instanceof RateLimiterRes) return { allowed: false, res: err };
      throw unavailable(err);
    },
  );
}

function unavailable(cause: unknown): GatehouseError {
  return new GatehouseError('rate_limit_unavailable', 503, 'rate-limit store unavailable', { expose: false, cause });
}

async function connectRedis(url: string, timeoutMs: number, onError: ((err: unknown) => void) | undefined): Promise<Redis> {
  const options: RedisOptions & { disconnectTimeout: number } = {
    lazyConnect: true,
    // Fail fast rather than queue: a command issued while disconnected is refused at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // A runtime option missing from ioredis' types (default 2 s): how long close() waits for a
    // half-open socket, which otherwise holds the process open that long when Redis is down.
    disconnectTimeout: timeoutMs,
  };
  // Loaded only when Redis is configured: one process without it saves the client's memory.
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient(url, options);
  client.on('error', (err: unknown) => onError?.(err)); // without a listener ioredis reports it as unhandled
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  // Wait briefly so the first requests after start find Redis ready; on failure keep reconnecting.
  await Promise.race([client.connect().catch((err: unknown) => onError?.(err)), deadline]);
  clearTimeout(timer);
  return client;
}
