import type { Endpoint } from '../types.ts';

/** True for an HTML page that renders API documentation (Swagger UI, ReDoc, RapiDoc, Scalar, Stoplight). */
export function isDocsPage(body: string): boolean {
  if (!/<(?:!doctype html|html|body|script|div)\b/i.test(body.slice(0, 4096))) return false;
  return /swagger-ui|SwaggerUIBundle|<redoc\b|Redoc\.init|<rapi-doc\b|@scalar\/api-reference|api-reference|<elements-api\b/i.test(body);
}

// How documentation pages name their spec: SwaggerUIBundle({ url: '…' }) and urls: [{ url: … }],
// configUrl, <redoc spec-url="…">, Redoc.init('…'), <rapi-doc spec-url>, Scalar data-url,
// Stoplight apiDescriptionUrl.
const SPEC_REFERENCES: readonly RegExp[] = [
  /\b(?:url|configUrl)\s*:\s*["'`]([^"'`\s]+)["'`]/g,
  /\b(?:spec-url|data-url|apiDescriptionUrl)\s*=\s*["']([^"'\s]+)["']/g,
  /\bRedoc\.init\(\s*["']([^"'\s]+)["']/g,
];
const ASSET = /\.(?:js|mjs|css|png|svg|ico|gif|jpe?g|woff2?|ttf|map)(?:[?#]|$)/i;

/**
 * Same-origin paths of the spec documents a docs page loads. CDN assets and other origins are
 * dropped: recon follows the target's own links only.
 */
export function specUrlsFromPage(html: string, page: URL): string[] {
  const found = new Set<string>();
  for (const re of SPEC_REFERENCES) {
    for (const m of html.matchAll(re)) {
      const raw = m[1]!.replace(/&amp;/g, '&');
      if (ASSET.test(raw) || !URL.canParse(raw, page.href)) continue;
      const url = new URL(raw, page);
      if (url.origin === page.origin) found.add(`${url.pathname}${url.search}`);
    }
  }
  return [...found].slice(0, 5);
}

const METHOD_PATH = /\b(GET|POST|PUT|PATCH|DELETE)\s+(\/[A-Za-z0-9._~%!$&'()*+,;=:@/{}-]*)/g;

/**
 * Endpoints a page lists in its own text (`<code>POST /api/tasks</code>`): the fallback when the
 * page's spec cannot be fetched or parsed. Path parameters (`{id}`) get a generic example.
 */
export function endpointsFromPage(html: string): Endpoint[] {
  const text = html.replace(/<[^>]{0,2000}>/g, ' ').replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const m of text.matchAll(METHOD_PATH)) {
    const path = m[2]!.replace(/[.,;:)]+$/, '');
    const key = `${m[1]} ${path}`;
    if (seen.has(key) || out.length >= 500) continue;
    seen.add(key);
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((p) => ({ name: p[1]!, in: 'path' as const, example: '1' }));
    out.push({ method: m[1]!, path, params, source: 'docs-page' });
  }
  return out;
}

/** Spec URLs in a swagger-config JSON document (`{ url }` or `{ urls: [{ url }] }`), same origin only. */
export function specUrlsFromConfig(json: unknown, page: URL): string[] {
  if (typeof json !== 'object' || json === null) return [];
  const c = json as { url?: unknown; urls?: unknown };
  const raw = [c.url, ...(Array.isArray(c.urls) ? c.urls.map((u) => (u as { url?: unknown } | null)?.url) : [])];
  const out: string[] = [];
  for (const r of raw) {
    if (typeof r !== 'string' || !URL.canParse(r, page.href)) continue;
    const url = new URL(r, page);
    if (url.origin === page.origin) out.push(`${url.pathname}${url.search}`);
  }
  return out.slice(0, 5);
}
