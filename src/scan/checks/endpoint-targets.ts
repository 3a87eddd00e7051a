import { randomBytes } from 'node:crypto';
import type { Endpoint } from '../types.ts';

// Turning an inventory entry into concrete request targets, shared by the authentication,
// bypass, injection and rate-limit checks. Pure apart from the randomness of "no such id" values.

type Param = Endpoint['params'][number];

const NUMERIC_NAME = /(^|[_-])(id|uid|num|number|count|limit|offset|page|size|lines|max|min|year|age)$|^n$/i;
const CAMEL_ID = /[a-z]Id$/; // agentId (case matters: "valid" is not an id)

/** True when the parameter is evidently numeric: its example is an integer, or its name says so. */
export function isNumericParam(p: Pick<Param, 'name' | 'example'>): boolean {
  if (p.example !== undefined && p.example !== '') return /^-?\d+$/.test(p.example);
  return NUMERIC_NAME.test(p.name) || CAMEL_ID.test(p.name);
}

/** The documented example, else a plausible value: `1` for ids and counts, `test` otherwise. */
export function sampleValue(p: Pick<Param, 'name' | 'example'>): string {
  if (p.example !== undefined && p.example !== '') return p.example;
  return isNumericParam(p) ? '1' : 'test';
}

/** The same value typed for a JSON body: numbers stay numbers so a schema-validating API accepts it. */
export function sampleJson(p: Pick<Param, 'name' | 'example'>): string | number {
  const v = sampleValue(p);
  return isNumericParam(p) && /^-?\d+$/.test(v) ? Number(v) : v;
}

/** A value that names nothing real (writes use it, so they cannot touch an existing record). */
export function nonexistentValue(p: Pick<Param, 'name' | 'example'>): string {
  const r = randomBytes(4).readUInt32BE(0);
  return isNumericParam(p) ? String(900_000_000 + (r % 99_999_999)) : `gatehouse-scan-${r.toString(16)}`;
}

/**
 * Fills `{name}` placeholders in a path template (values percent-encoded). `value` overrides the
 * sample value per parameter; a placeholder without a documented parameter gets `1` or `test`.
 */
export function fillPath(ep: Pick<Endpoint, 'path' | 'params'>, value?: (p: Param) => string | undefined): string {
  return ep.path.replace(/\{([^}/]+)\}/g, (_m, name: string) => {
    const p = ep.params.find((x) => x.in === 'path' && x.name === name) ?? { name, in: 'path' as const };
    return encodeURIComponent(value?.(p) ?? sampleValue(p));
  });
}

/** True when the path has placeholders. */
export const hasPathParams = (path: string): boolean => /\{[^}/]+\}/.test(path);

/** `?a=1&b=2` from pairs (empty string when none); spaces as %20, since not every server decodes `+`. */
export function queryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

/** A JSON body with every documented body field set to its sample value. */
export function sampleBody(ep: Pick<Endpoint, 'params'>): Record<string, string | number> {
  return Object.fromEntries(ep.params.filter((p) => p.in === 'body').map((p) => [p.name, sampleJson(p)]));
}

/** Search-like paths read with user-supplied text: the first place an injection is tried. */
export const isSearchLike = (path: string): boolean => /(^|\/)(search|find|query|lookup|filter|autocomplete|suggest)([/.?]|$)/i.test(path);

// Public on purpose in any sane deployment: home and login pages, static assets, liveness probes,
// discovery documents, key sets, API docs.
const PUBLIC_BY_DESIGN = [
  /^\/(index\.html?)?$/i,
  /\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|woff2?|ttf)$/i,
  /(^|\/)(login|signin|sign-in|logout|signup)\/?$/i,
  /(^|\/)oauth\/(authorize|token)$/i,
  /^\/(health|healthz|livez|readyz|ready|live|ping|status|version)\/?$/i,
  /^\/api\/(health|healthz|ping|version)\/?$/i,
  /^\/\.well-known\//i,
  /(^|\/)(jwks(\.json)?|oauth\/jwks)$/i,
  /^\/(robots\.txt|favicon\.ico|security\.txt)$/i,
  /(^|\/)(openapi|swagger)(\.json|\.ya?ml)?$/i,
  /(^|\/)(docs|api-docs|redoc|swagger-ui)(\/|\.html)?$/i,
];

/** Paths that are normally public (health, discovery, key sets, API docs): not reported as unauthenticated. */
export const isPublicByDesign = (path: string): boolean => PUBLIC_BY_DESIGN.some((re) => re.test(path));

const DATA_SEGMENT =
  /(^|\/)(agents?|users?|accounts?|members?|customers?|keys?|api[-_]?keys?|tokens?|secrets?|credentials?|passwords?|config(uration)?s?|settings|env|environment|memor(y|ies)|runs?|tasks?|jobs?|logs?|files?|uploads?|documents?|conversations?|messages?|chats?|prompts?|admin|database|db|backups?|sessions?|integrations?|webhooks?|search|export|dump|tools?|workflows?|datasets?)(\/|$|\.)/i;

/** Paths whose resources are the platform's data (agents, users, keys, config, memory, …). */
export const isDataBearingPath = (path: string): boolean => DATA_SEGMENT.test(path.split('?')[0]!);
