const ASSET = /\.(?:js|mjs|css|png|svg|ico|gif|jpe?g|webp|woff2?|ttf|map|txt|md|pdf|zip)$/i;
const PATHLIKE = /^\/(?!\/)[A-Za-z0-9._~%!$&'()*+,;=:@/{}?-]{0,200}$/;
const MAX_STRINGS = 2000;

/** A same-origin path (no query, no fragment) for a link, or undefined when recon should not follow it. */
function samePath(raw: string, page: URL): string | undefined {
  const value = raw.trim().replace(/&amp;/g, '&');
  if (value === '' || /^(?:javascript|mailto|data|tel):/i.test(value) || !URL.canParse(value, page.href)) return undefined;
  const url = new URL(value, page);
  if (url.origin !== page.origin || ASSET.test(url.pathname)) return undefined;
  return url.pathname;
}

function jsonStrings(value: unknown, out: string[], depth = 0): void {
  if (out.length >= MAX_STRINGS || depth > 8) return;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value.slice(0, 200)) jsonStrings(v, out, depth + 1);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value).slice(0, 200)) jsonStrings(v, out, depth + 1);
}

/**
 * Same-origin paths a response points to: `href`/`src`/`action` in HTML, and in JSON any string
 * that is an absolute path (`"/api/runs/2"`) or a same-origin URL (HAL `_links`, `next` cursors).
 * Free text is not mined: a path inside a log line or an error message is noise, not a link.
 */
export function extractLinks(body: string, contentType: string, page: URL): string[] {
  const found = new Set<string>();
  const add = (raw: string): void => {
    const p = samePath(raw, page);
    if (p !== undefined) found.add(p);
  };
  if (/html/i.test(contentType) || /^\s*</.test(body)) {
    for (const m of body.matchAll(/\b(?:href|src|action)\s*=\s*["']([^"'#]{1,500})/gi)) add(m[1]!);
  } else if (/json/i.test(contentType) || /^\s*[{[]/.test(body)) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return [];
    }
    const strings: string[] = [];
    jsonStrings(json, strings);
    for (const s of strings) if (PATHLIKE.test(s) || /^https?:\/\//i.test(s)) add(s);
  }
  return [...found];
}

/** Paths named by robots.txt `Allow`/`Disallow` lines (wildcards cut at the first `*`). */
export function robotsPaths(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/^\s*(?:dis)?allow\s*:\s*(\/[^\s#*$]*)/gim)) if (m[1]!.length > 1) out.add(m[1]!);
  return [...out].slice(0, 50);
}
