/**
 * Secret redaction for everything the scanner shows or keeps (evidence, timeline, reports). The
 * target's responses are hostile and may be full of credentials (that is what some checks look
 * for); a scan report must never become a second copy of them. Rules are applied in order, each a
 * linear regex: bodies are up to 64 KiB, so no pattern may backtrack catastrophically.
 */

export const REDACTED = '[REDACTED]';

interface Rule {
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// Header names whose values are credentials, wherever they appear (`Authorization: …`, `cookie=…`,
// `"x-api-key": "…"` in a logged request).
const HEADER_NAMES = 'proxy-authorization|authorization|set-cookie|cookie|x-api-key|x-auth-token|api-key';
// JSON keys / assignments whose value is a secret: `"password": "…"`, `DB_PASSWORD=…`, `?api_key=…`.
// Bounded on both sides: an unbounded `[\w.-]*` would backtrack quadratically over a long word.
const SECRET_KEY = String.raw`[\w.-]{0,40}?(?:passw(?:or)?d|passwd|secret|token|api[_-]?key|apikey|private[_-]?key|credential)[\w.-]{0,40}`;

const RULES: readonly Rule[] = [
  // PEM private keys, also when JSON-escaped (`\n`) or cut off before the END line.
  {
    name: 'private-key',
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY-----${REDACTED}-----END ${kind}PRIVATE KEY-----`,
  },
  // JWS compact serialisation (header always starts `eyJ`, i.e. `{"`); signature may be empty (alg none).
  { name: 'jwt', pattern: /\beyJ[\w-]{4,1024}\.[\w-]{2,}\.[\w-]*/g, replace: () => `${REDACTED}(jwt)` },
  // Gatehouse API keys and client secrets: keep the prefix so the reader knows which kind leaked.
  { name: 'gatehouse-key', pattern: /\b(gth|gcs)_[0-9A-Za-z]{16,}/g, replace: (_m, prefix) => `${prefix}_${REDACTED}` },
  { name: 'aws-access-key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: (_m, prefix) => `${prefix}${REDACTED}` },
  { name: 'provider-key', pattern: /\b(sk|rk|pk)-[A-Za-z0-9_-]{16,}/g, replace: (_m, prefix) => `${prefix}-${REDACTED}` },
  { name: 'github-token', pattern: /\b(gh[pousr])_[A-Za-z0-9]{20,}/g, replace: (_m, prefix) => `${prefix}_${REDACTED}` },
  // Header lines and header-like assignments (`authorization="Bearer …"` in a log line).
  {
    name: 'credential-header',
    pattern: new RegExp(String.raw`\b(${HEADER_NAMES})("?\s*[:=]\s*)("?)([^"\r\n]*)`, 'gi'),
    replace: (_m, name, sep, quote, value) => `${name}${sep}${quote}${value === '' ? '' : REDACTED}`,
  },
  { name: 'auth-scheme', pattern: /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, replace: (_m, scheme) => `${scheme} ${REDACTED}` },
  // JSON string values under secret-sounding keys (numbers, booleans and nulls say nothing secret).
  {
    name: 'secret-json-value',
    pattern: new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")((?:[^"\\]|\\.)*)"`, 'gi'),
    replace: (_m, head, value) => `${head}${value === '' ? '' : REDACTED}"`,
  },
  // key=value in query strings, env files and logs.
  {
    name: 'secret-assignment',
    pattern: new RegExp(String.raw`\b(${SECRET_KEY})=([^\s&"',;]+)`, 'gi'),
    replace: (_m, key) => `${key}=${REDACTED}`,
  },
  // Passwords in connection URLs: postgres://user:pw@host.
  { name: 'url-password', pattern: /\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s:/@"']{1,200}):[^\s@/"']+@/gi, replace: (_m, head) => `${head}:${REDACTED}@` },
];

/** A redactor: the built-in rules plus literal secrets of this scan (the operator's --header values). */
export type Redact = (text: string) => string;

/**
 * Builds a redactor. `literals` are values known to be secret (e.g. `Bearer abc…` from --header):
 * they are removed first, verbatim and without a leading auth scheme, wherever they appear.
 */
export function createRedactor(literals: readonly string[] = []): Redact {
  const values = new Set<string>();
  for (const raw of literals) {
    const v = raw.trim();
    // Very short values would redact ordinary words; they are not credentials worth the noise.
    if (v.length >= 6) values.add(v);
    const bare = v.replace(/^(Bearer|Basic|Digest|Token)\s+/i, '');
    if (bare.length >= 6) values.add(bare);
  }
  // Longest first, so `Bearer xyz` goes before its own `xyz`.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const v of ordered) out = out.split(v).join(REDACTED);
    for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (m: string, ...g: string[]) => string);
    return out;
  };
}

/** Redaction with the built-in rules only. */
export const redact: Redact = createRedactor();

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * A response excerpt for a report: redacted first (so truncation cannot cut a secret into a shape
 * the rules miss), control characters replaced (a hostile body must not drive the terminal),
 * whitespace collapsed, cut to `max` characters.
 */
export function excerpt(text: string, redactor: Redact = redact, max = 300): string {
  const flat = redactor(text).replace(CONTROL, '?').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** One line of untrusted text for a terminal: control characters (incl. ESC, CR, LF) become `?`. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
