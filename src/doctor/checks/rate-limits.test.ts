import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/load-config.ts';
import { rateLimitVerdicts } from './rate-limits.ts';

const statuses = (input: Record<string, unknown>) => rateLimitVerdicts(parseConfig(input)).map((r) => `${r.status} ${r.message}`);

describe('rateLimitVerdicts', () => {
  it('the defaults pass', () => {
    assert.deepEqual(statuses({}), [
      'pass per-agent limit: 50 req/s, burst 100 (rateLimit.perAgent)',
      'pass per-address limit on unauthenticated requests: 20 req/s, burst 40 (rateLimit.perAddress)',
      'pass per-address limit on the token endpoints: 50 req/s, burst 100 (oauth.rateLimit)',
      'pass lockout after 10 failed authentications in 60s, for 300s (rateLimit.authFailures)',
    ]);
  });

  it('absurdly high buckets warn, wherever they are set', () => {
    const out = statuses({
      rateLimit: { perAgent: { rate: 100_000, burst: 100 }, agents: { bulk: { rate: 10, burst: 1_000_000 } } },
      routes: [{ id: 'open', path: '/o/*', upstream: 'http://127.0.0.1:1', auth: 'public', rateLimit: { rate: 500, burst: 10 } }],
    });
    assert.ok(out.includes('warn per-agent limit is effectively unlimited: 100000 req/s, burst 100 (rateLimit.perAgent)'));
    assert.ok(out.includes('warn limit for agent "bulk" is effectively unlimited: 10 req/s, burst 1000000 (rateLimit.agents.bulk)'));
    assert.ok(out.includes('warn limit on route "open" is effectively unlimited: 500 req/s, burst 10 (routes[0].rateLimit)'));
  });

  it('a lockout that allows many guesses, or lasts moments, warns', () => {
    assert.match(statuses({ rateLimit: { authFailures: { maxFailures: 1000 } } }).at(-1)!, /^warn lockout after 1000 .*too many guesses allowed$/);
    assert.match(statuses({ rateLimit: { authFailures: { lockoutSeconds: 5 } } }).at(-1)!, /^warn .*the lockout is too short/);
  });

  it('several instances on PostgreSQL without Redis count per instance', () => {
    assert.match(statuses({ store: { url: 'postgres://gh@127.0.0.1/db' } }).at(-1)!, /^warn rate limits are counted per instance/);
    assert.doesNotMatch(statuses({ store: { url: 'postgres://gh@127.0.0.1/db' }, redis: { url: 'redis://127.0.0.1:6379' } }).at(-1)!, /per instance/);
  });
});
