import type { Config } from '../../config/schema.ts';
import { fail, pass, warn } from '../result.ts';
import type { CheckResult, DoctorCheck } from '../types.ts';

interface Limit {
  field: string;
  what: string;
  value: number;
  unit: 's' | 'days';
  /** At or below: PASS. */
  good: number;
  /** Above good and at or below this: WARN; above it: FAIL. */
  max: number;
  advice: string;
}

function judge(l: Limit): CheckResult {
  const text = `${l.what}: ${l.value}${l.unit === 's' ? ' s' : ' days'} (${l.field})`;
  if (l.value <= l.good) return pass(text);
  if (l.value <= l.max) return warn(`${text}, above ${l.good}${l.unit === 's' ? ' s' : ' days'}`, l.advice);
  return fail(`${text}, above the limit of ${l.max}${l.unit === 's' ? ' s' : ' days'}`, l.advice);
}

/**
 * Short-lived credentials limit what a stolen one is worth. The schema already caps every one of
 * these (a FAIL needs a config built around it); the doctor flags values that are allowed but
 * longer than they need to be.
 */
export function lifetimeVerdicts(config: Readonly<Config>): CheckResult[] {
  const o = config.oauth;
  return [
    judge({ field: 'oauth.accessTokenTtlSeconds', what: 'access-token lifetime', value: o.accessTokenTtlSeconds, unit: 's', good: 900, max: 3600, advice: 'Agents can fetch a new token whenever they need one; 5 minutes (the default) is plenty.' }),
    judge({ field: 'oauth.clockSkewSeconds', what: 'clock-skew tolerance', value: o.clockSkewSeconds, unit: 's', good: 30, max: 30, advice: 'Keep clocks in sync (NTP) instead of widening the tolerance.' }),
    judge({ field: 'oauth.upstreamAssertion.ttlSeconds', what: 'upstream identity-assertion lifetime', value: o.upstreamAssertion.ttlSeconds, unit: 's', good: 60, max: 60, advice: 'The assertion covers one forwarded request; it needs seconds, not minutes.' }),
    judge({ field: 'oauth.maxAssertionLifetimeSeconds', what: 'longest client assertion accepted', value: o.maxAssertionLifetimeSeconds, unit: 's', good: 300, max: 900, advice: 'Clients sign a fresh assertion per token request; 5 minutes is plenty.' }),
    judge({ field: 'apiKeys.defaultTtlDays', what: 'default API-key lifetime', value: config.apiKeys.defaultTtlDays, unit: 'days', good: 90, max: 3650, advice: 'Long-lived keys leak; rotate them (gatehouse keys rotate) or move agents to short-lived tokens.' }),
    judge({ field: 'oauth.clientSecrets.defaultTtlDays', what: 'default client-secret lifetime', value: o.clientSecrets.defaultTtlDays, unit: 'days', good: 90, max: 3650, advice: 'Rotate client secrets (gatehouse client-secrets rotate), or register a key for private_key_jwt instead.' }),
  ];
}

export const tokenLifetimesCheck: DoctorCheck = {
  id: 'token-lifetimes',
  title: 'Token and credential lifetimes',
  run: (ctx) => lifetimeVerdicts(ctx.loaded.config),
};
