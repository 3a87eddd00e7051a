import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/schema.ts';
import { lifetimeVerdicts } from './token-lifetimes.ts';

const base = parseConfig({});
const byField = (cfg: Readonly<Config>) => Object.fromEntries(lifetimeVerdicts(cfg).map((r) => [/\(([^)]+)\)/.exec(r.message)![1], r.status]));

describe('lifetimeVerdicts', () => {
  it('the defaults pass', () => {
    assert.ok(lifetimeVerdicts(base).every((r) => r.status === 'pass'));
  });

  it('allowed but long lifetimes warn', () => {
    const cfg = parseConfig({ oauth: { accessTokenTtlSeconds: 3600, maxAssertionLifetimeSeconds: 900 }, apiKeys: { defaultTtlDays: 365 } });
    const v = byField(cfg);
    assert.equal(v['oauth.accessTokenTtlSeconds'], 'warn');
    assert.equal(v['oauth.maxAssertionLifetimeSeconds'], 'warn');
    assert.equal(v['apiKeys.defaultTtlDays'], 'warn');
    assert.equal(v['oauth.clockSkewSeconds'], 'pass');
  });

  it('values beyond the limits (a config built around the schema) fail', () => {
    const cfg = { ...base, oauth: { ...base.oauth, accessTokenTtlSeconds: 86_400, clockSkewSeconds: 300, upstreamAssertion: { enabled: true, ttlSeconds: 600 } } } as Config;
    const v = byField(cfg);
    assert.equal(v['oauth.accessTokenTtlSeconds'], 'fail');
    assert.equal(v['oauth.clockSkewSeconds'], 'fail');
    assert.equal(v['oauth.upstreamAssertion.ttlSeconds'], 'fail');
  });
});
