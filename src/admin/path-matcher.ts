import { badRequest } from '../core/errors.ts';

export type PathMatch<N extends string> =
  | { ok: true; name: N; params: Record<string, string> }
  | { ok: false; /** Methods the path exists for: empty = 404, otherwise 405. */ allow: string[] };

interface Entry<N> {
  name: N;
  method: string;
  segments: string[];
}

/** Matches `METHOD /a/{param}/b` templates segment by segment. No prefix matching, no trailing-slash aliases. */
export class PathMatcher<N extends string> {
  readonly #entries: Entry<N>[];

  constructor(templates: Record<N, { method: string; path: string }>) {
    this.#entries = (Object.entries(templates) as [N, { method: string; path: string }][]).map(([name, t]) => ({ name, method: t.method, segments: t.path.split('/') }));
  }

  /** Params are returned raw (still percent-encoded): decode them with `decodeParams` once the caller is trusted. */
  match(method: string, path: string): PathMatch<N> {
    const segments = path.split('/');
    const allow: string[] = [];
    for (const e of this.#entries) {
      const params = matchSegments(e.segments, segments);
      if (!params) continue;
      if (e.method === method) return { ok: true, name: e.name, params };
      allow.push(e.method);
    }
    return { ok: false, allow: [...new Set(allow)] };
  }
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const a = actual[i]!;
    if (t.startsWith('{') && t.endsWith('}')) {
      if (a === '') return undefined;
      params[t.slice(1, -1)] = a;
    } else if (t !== a) {
      return undefined;
    }
  }
  return params;
}

/** Percent-decodes path parameters (400 on a malformed escape). */
export function decodeParams(raw: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw badRequest('invalid_request', `path parameter "${k}" is not valid percent-encoding`);
    }
  }
  return out;
}
