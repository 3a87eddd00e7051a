import type { StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { ACTION_TYPE, AGENT_TYPE, PATH_TYPE, selfPathOf } from './cedar-schema.ts';
import { passesPathTest, type PathTest } from './compile-rules.ts';

/** Everything the policy engine may look at. `now` is epoch ms (bucketed to UTC hour and weekday). */
export interface PolicyRequest {
  agent: { id: string; name: string; owner: string; labels: readonly string[]; scopes: readonly string[] };
  method: string;
  path: string;
  routeId: string;
  clientAddress: string;
  credentialType: 'api_key' | 'jwt' | 'oauth_client';
  /** Delegated tokens (RFC 8693): on whose behalf, and the actors' SPIFFE ids (most recent first). Absent = not delegated. */
  delegation?: { subject: string; actors: readonly string[] };
  now: number;
}

export interface TimeBuckets {
  hourUtc: number;
  weekdayUtc: number; // 0 = Sunday, as Date#getUTCDay
}

/** Buckets `now` so that requests within one UTC hour share a cache entry. Throws on a bad time. */
export function timeBuckets(now: number): TimeBuckets {
  // Arithmetic rather than a Date per request: epoch day 0 (1970-01-01) was a Thursday (4).
  if (!Number.isFinite(now) || Math.abs(now) > 8.64e15) throw new RangeError('policy request time is not a valid date');
  const hours = Math.floor(now / 3_600_000);
  const days = Math.floor(hours / 24);
  return { hourUtc: ((hours % 24) + 24) % 24, weekdayUtc: (((days + 4) % 7) + 7) % 7 };
}

const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Runtime guard for callers outside the type system: a string where a set is expected would
 * otherwise spread into characters (and could match a one-letter label). Throws TypeError.
 */
export function checkRequestShape(req: PolicyRequest): void {
  const a = req.agent;
  const strings = [a.id, a.name, a.owner, req.method, req.path, req.routeId, req.clientAddress, req.credentialType];
  const d = req.delegation;
  if (d !== undefined && (typeof d.subject !== 'string' || !isStrings(d.actors))) throw new TypeError('malformed policy request');
  if (!strings.every((s) => typeof s === 'string') || !isStrings(a.labels) || !isStrings(a.scopes)) {
    throw new TypeError('malformed policy request');
  }
}

/**
 * The decision-cache key: the policy set version plus every request field the decision can depend
 * on. Labels and scopes are sets in Cedar, so they are sorted; JSON keeps fields unambiguous.
 * `pathKey` is the path itself, or — when every policy is a compiled rule — its path signature.
 */
export function cacheKey(version: string, req: PolicyRequest, time: TimeBuckets, pathKey: string): string {
  const a = req.agent;
  // JSON keeps every field unambiguous whatever it contains (this runs on every request: no copies
  // unless a set is out of order, and stores keep labels and scopes sorted).
  return JSON.stringify([
    version, a.id, a.name, a.owner, sortedSet(a.labels), sortedSet(a.scopes),
    req.method, pathKey, req.routeId, req.clientAddress, req.credentialType, time.hourUtc, time.weekdayUtc,
    req.delegation?.subject ?? null, req.delegation?.actors ?? null,
  ]);
}

function sortedSet(xs: readonly string[]): readonly string[] {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return [...xs].sort();
  return xs;
}

/**
 * Which of the rules' path tests a request's path passes, as a bit string. Compiled rules look at
 * the path only through these tests (compile-rules.ts), so two paths with the same signature get
 * the same decision for the same caller: `/api/tasks/1` and `/api/tasks/2` share one cache entry
 * instead of each paying for a Cedar evaluation.
 */
export function pathSignature(tests: readonly PathTest[], path: string, agentName: string): string {
  let self: string | undefined;
  let bits = 'sig:';
  for (const t of tests) {
    const value = t.attr === 'path' ? path : (self ??= selfPathOf(path, agentName));
    bits += passesPathTest(t, value) ? '1' : '0';
  }
  return bits;
}

/** The Cedar call for a request, against a preparsed policy set and schema. */
export function toCedarCall(req: PolicyRequest, time: TimeBuckets, policySetId: string, schemaName: string): StatefulAuthorizationCall {
  const principal = { type: AGENT_TYPE, id: req.agent.name };
  const resource = { type: PATH_TYPE, id: req.path };
  const a = req.agent;
  return {
    principal,
    action: { type: ACTION_TYPE, id: req.method },
    resource,
    context: {
      clientAddress: req.clientAddress, credentialType: req.credentialType, ...time,
      delegationDepth: req.delegation?.actors.length ?? 0, subject: req.delegation?.subject ?? a.name, actors: [...(req.delegation?.actors ?? [])],
    },
    preparsedPolicySetId: policySetId,
    preparsedSchemaName: schemaName,
    // Also type-checks entities and context against the schema: a malformed request is an error, not a deny.
    validateRequest: true,
    entities: [
      { uid: principal, attrs: { name: a.name, id: a.id, owner: a.owner, labels: [...a.labels], scopes: [...a.scopes] }, parents: [] },
      { uid: resource, attrs: { path: req.path, route: req.routeId, selfPath: selfPathOf(req.path, a.name) }, parents: [] },
    ],
  };
}
