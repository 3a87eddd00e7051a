import type { ReasonCode } from './reasons.ts';

/**
 * One canonical path per request (SECURITY-CASES 25–30): policy, rate-limit keys and the upstream
 * all see the string this module returns, or the request is rejected. Percent-decoding happens
 * exactly once, here; nothing downstream may decode again.
 */
export type CanonicalTarget =
  | { ok: true; /** decoded, dot-free, slash-merged path */ path: string; /** raw query without `?`, '' if none */ query: string }
  | { ok: false; reason: ReasonCode; message: string };

type Fail = Extract<CanonicalTarget, { ok: false }>;
const fail = (reason: ReasonCode, message: string): Fail => ({ ok: false, reason, message });

// BOM kept as a character (ignoreBOM): the default would silently strip a leading U+FEFF from a
// segment, so `/%EF%BB%BFadmin` would canonicalize to `/admin` — an alias we do not want.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Raw bytes never allowed anywhere in the target: C0 controls, space, DEL, non-ASCII, `#`.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_ANYWHERE = /[\u0000-\u0020\u007f-\uffff#]/;
// Decoded characters never allowed in a path: C0, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const DECODED_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * Canonicalizes a raw HTTP request-target (origin-form only).
 *
 * `//evil.com/admin` is *merged* to `/evil.com/admin` rather than rejected: upstream URLs are built
 * by string concatenation onto the route's base URL (never `new URL(target, base)`), so a
 * leading `//` can never become an authority. A `.`/`..` segment carrying `;` parameters
 * (`..;`, `.;x`) is rejected because servlet-style upstreams treat it as a dot segment.
 */
export function canonicalizeTarget(rawTarget: string): CanonicalTarget {
  if (typeof rawTarget !== 'string' || rawTarget.length === 0) return fail('path_invalid', 'empty request-target');
  if (!rawTarget.startsWith('/')) {
    return fail('path_absolute_form', 'request-target must be origin-form (start with "/")');
  }
  const bad = FORBIDDEN_ANYWHERE.exec(rawTarget);
  if (bad) {
    return fail('path_invalid', bad[0] === '#' ? 'fragment not allowed in request-target' : 'control, space or non-ASCII character in request-target');
  }
  const q = rawTarget.indexOf('?');
  const rawPath = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const query = q === -1 ? '' : rawTarget.slice(q + 1);
  if (rawPath.includes('\\')) return fail('path_invalid', 'backslash in path');

  const rawSegments = rawPath.split('/').slice(1); // leading '' before the first '/'
  const out: string[] = [];
  let trailingSlash = false;
  for (let i = 0; i < rawSegments.length; i++) {
    const last = i === rawSegments.length - 1;
    const decoded = decodeSegment(rawSegments[i] ?? '');
    if (typeof decoded !== 'string') return decoded;
    // Only the final empty segment (a trailing slash) survives; inner ones are merged slashes.
    trailingSlash = last && (decoded === '' || decoded === '.' || decoded === '..');
    if (decoded === '' || decoded === '.') continue;
    if (decoded === '..') {
      if (out.length === 0) return fail('path_dot_segment_escape', 'path climbs above the root');
      out.pop();
      continue;
    }
    if (/^\.\.?;/.test(decoded)) return fail('path_invalid', 'dot segment with path parameters');
    out.push(decoded);
  }
  const path = out.length === 0 ? '/' : `/${out.join('/')}${trailingSlash ? '/' : ''}`;
  return { ok: true, path, query };
}

/** Decodes one raw segment exactly once; returns the decoded text or a failure. */
function decodeSegment(raw: string): string | Fail {
  if (!raw.includes('%')) {
    return raw; // already validated as printable ASCII without separators
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 0x25) {
      bytes.push(c);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return fail('path_bad_encoding', 'invalid percent-escape in path');
    const b = parseInt(hex, 16);
    if (b === 0x2f || b === 0x5c) return fail('path_encoded_separator', 'encoded "/" or "\\" in path');
    if (b === 0x00) return fail('path_nul', 'encoded NUL in path');
    bytes.push(b);
    i += 2;
  }
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    return fail('path_bad_encoding', 'path is not valid UTF-8 after percent-decoding');
  }
  if (DECODED_CONTROL.test(text)) return fail('path_invalid', 'encoded control character in path');
  return text;
}

// encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ); we also keep the remaining pchar
// sub-delims and ':' '@' readable. Its output is only literal characters and %XX triplets, so
// this replacement always aligns on triplets and can never touch an escaped '%' (%25).
const KEEP = /%(24|26|2B|2C|3B|3D|3A|40)/g;
const unescapeKept = (m: string): string => String.fromCharCode(parseInt(m.slice(1), 16));

/**
 * Re-encodes a canonical path for the upstream request line, segment by segment, so that an
 * upstream decoding once sees exactly the canonical path (`%`, `?`, `#`, spaces, non-ASCII are
 * escaped; `/` stays the separator; a trailing slash is preserved).
 */
export function encodePathForUpstream(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(KEEP, unescapeKept))
    .join('/');
}

/**
 * Path pattern match on canonical paths. A pattern ending in `/*` matches its prefix and
 * everything below it at a segment boundary (`/api/*` ⊇ `/api`, `/api/`, `/api/x/y`, not `/apix`);
 * `/*` matches every path. Any other pattern is an exact, case-sensitive match.
 */
export function matchesPathPattern(pattern: string, path: string): boolean {
  if (!pattern.endsWith('/*')) return pattern === path;
  const prefix = pattern.slice(0, -2);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Removes a route prefix (`/api`, `/api/` or `/api/*`) from a canonical path at a segment
 * boundary: `/api/v1` → `/v1`, `/api` → `/`. A path not under the prefix is returned unchanged.
 */
export function stripPathPrefix(path: string, prefix: string): string {
  let p = prefix.endsWith('/*') ? prefix.slice(0, -2) : prefix;
  while (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') return path;
  if (path === p) return '/';
  return path.startsWith(`${p}/`) ? path.slice(p.length) : path;
}
