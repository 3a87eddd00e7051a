import type { Clock } from '../core/clock.ts';
import type { ApiKeyService } from '../identity/api-key-service.ts';
import type { RateLimiter } from '../limits/rate-limiter.ts';
import type { AuditQueue } from '../audit/audit-queue.ts';
import type { Metrics } from '../obs/metrics.ts';
import type { Logger } from '../obs/logger.ts';
import type { RuntimeState } from './runtime-state.ts';
import type { Forwarder } from './forwarder.ts';
import type { AccessTokenVerifier } from '../oauth/access-token-verifier.ts';
import type { IdentityAsserter } from '../oauth/identity-asserter.ts';

/** What the data plane needs; injected so tests can pass real pieces wired to temp stores. */
export interface GatewayDeps {
  /** The current snapshot; a reload replaces it atomically. */
  state(): RuntimeState;
  keys: Pick<ApiKeyService, 'authenticate'>;
  /** JWT access-token verification; absent = routes accept API keys only. */
  tokens?: Pick<AccessTokenVerifier, 'verify'>;
  /** Signs the identity assertion upstreams receive; absent = identity headers only. */
  identity?: IdentityAsserter;
  limiter: RateLimiter;
  audit: Pick<AuditQueue, 'accepting' | 'enqueue'>;
  forwarder: Forwarder;
  metrics: Metrics;
  logger: Logger;
  clock: Clock;
}
