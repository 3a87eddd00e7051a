import type { Endpoint, ParamLocation, ProbeRequest } from '../types.ts';
import { fillPath, isNumericParam, isSearchLike, nonexistentValue, queryString, sampleBody, sampleValue } from './endpoint-targets.ts';

/** One value the scanner can replace with a payload. */
export interface InjectionPoint {
  endpoint: Endpoint;
  location: ParamLocation;
  name: string;
  /** The unmodified value (documented example or a plausible one). */
  base: string;
  numeric: boolean;
  /** Body points: the request target, fixed once (a write's path ids are random values naming no record). */
  target?: string;
}

/** Parameter names search endpoints commonly read, tried where none is documented. */
export const COMMON_SEARCH_PARAMS = ['q', 'query', 'search', 'filter', 'keyword', 'term'] as const;
const MAX_GUESSED_ENDPOINTS = 3;
/** Points tested at most (each costs ~10–15 requests); search and query parameters come first. */
export const MAX_POINTS = 40;

const rank = (p: InjectionPoint): number => (isSearchLike(p.endpoint.path) ? 0 : 2) + (p.location === 'query' ? 0 : p.location === 'body' ? 1 : 3);

/**
 * Query parameters of GET endpoints, JSON body fields of POSTs (search-like ones always, others
 * only with --allow-writes: a POST may create something), and path parameters (error technique
 * only). Search-like GETs without documented parameters get the common names.
 */
export function injectionPoints(inventory: readonly Endpoint[], allowWrites: boolean): InjectionPoint[] {
  const out: InjectionPoint[] = [];
  let guessed = 0;
  for (const ep of inventory) {
    const point = (location: ParamLocation, p: { name: string; example?: string }): InjectionPoint => ({ endpoint: ep, location, name: p.name, base: sampleValue(p), numeric: isNumericParam(p) });
    if (ep.method === 'GET') {
      const query = ep.params.filter((p) => p.in === 'query');
      for (const p of query) out.push(point('query', p));
      if (query.length === 0 && isSearchLike(ep.path) && guessed++ < MAX_GUESSED_ENDPOINTS) {
        for (const name of COMMON_SEARCH_PARAMS) out.push({ endpoint: ep, location: 'query', name, base: 'test', numeric: false });
      }
      for (const p of ep.params.filter((x) => x.in === 'path')) out.push(point('path', p));
    } else if (ep.method === 'POST' && (allowWrites || isSearchLike(ep.path))) {
      // A write's path ids name no record, so even an injected POST cannot touch existing data.
      const target = isSearchLike(ep.path) ? fillPath(ep) : fillPath(ep, (p) => nonexistentValue(p));
      for (const p of ep.params.filter((x) => x.in === 'body')) out.push({ ...point('body', p), target });
    }
  }
  return out.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j).slice(0, MAX_POINTS).map(([p]) => p);
}

/** The request that carries `value` at the point; everything else keeps its sample value. */
export function injectRequest(point: InjectionPoint, value: string): ProbeRequest {
  const ep = point.endpoint;
  if (point.location === 'path') return { method: ep.method, target: fillPath(ep, (p) => (p.name === point.name ? value : undefined)) };
  if (point.location === 'body') {
    return { method: ep.method, target: point.target ?? fillPath(ep), json: { ...sampleBody(ep), [point.name]: value } };
  }
  const documented = ep.params.filter((p) => p.in === 'query');
  const pairs = documented.some((p) => p.name === point.name)
    ? documented.map((p) => [p.name, p.name === point.name ? value : sampleValue(p)] as const)
    : [[point.name, value] as const];
  return { method: ep.method, target: `${fillPath(ep)}${queryString(pairs)}` };
}

/** How a report names the point: "query parameter `query`". */
export const describePoint = (p: InjectionPoint): string => `${p.location === 'body' ? 'JSON body field' : `${p.location} parameter`} \`${p.name}\``;
